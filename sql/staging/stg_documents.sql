select
    doc_id,
    city_id,
    title_ja,
    title_en,
    doc_type,
    publisher,
    published_label,
    published_on,
    covers,
    raw_path,
    original_filename,
    format,
    source,
    licence,
    sha256
from src_documents
