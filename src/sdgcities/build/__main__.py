"""`python -m sdgcities.build`: see sdgcities.build.run."""

import sys

from sdgcities.build.run import main

sys.exit(main())
