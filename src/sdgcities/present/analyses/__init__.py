"""The analyses behind the notebooks: each module returns frames and Altair charts; notebooks only
call them, display the results and write the narrative."""
