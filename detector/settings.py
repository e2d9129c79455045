"""Named limits and defaults of the detector: no magic numbers elsewhere."""

from pathlib import Path

MAX_PAGE_BYTES = 16 * 1024 * 1024
"""Pages larger than this are refused with an error rather than parsed."""

MAX_TREE_DEPTH = 250
"""Documents nested deeper than this are refused: no news page needs it, and libxml2 flattens past 256 levels."""

MAX_BLOCKS = 20000
"""Segmentation stops adding blocks past this count (the rest is one trailing block)."""

FETCH_TIMEOUT_S = 20.0
"""How long `score` waits for a server to connect or to send the next bytes."""
FETCH_DEADLINE_S = 60.0
"""How long `score` gives a whole download (a server trickling bytes never times out a read)."""
USER_AGENT = "scraper-hygiene/0.1 (+https://example.invalid/scraper-hygiene)"

RANDOM_STATE = 20261129
"""Seed of every random choice in training data, splits and classifiers."""

FORMATS = ("auto", "html", "text")
"""What a page can be given as: HTML, already-scraped text, or guess."""

HOLDOUT_SITE_SHARE = 0.2
"""Share of the user's sites held out of retraining and measured."""

DEFAULT_THRESHOLD = 0.8
"""Contamination probability at or above which a block is flagged and the page called contaminated. The model
trains on far more contamination than the web holds, so its probabilities run high: at 0.8 clean held-out HTML
and article-text pages are flagged about 1% of the time (see README, "The page decision")."""

FEATURE_VERSION = 9
"""Bump whenever features change meaning: models of another version are refused at load time."""

N_HASHED_FEATURES = 2**18

LABELS = ("content", "boilerplate", "tag-noise", "spam")
CONTAMINATION_LABELS = ("tag-noise", "spam")

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL_NAME = "hygiene-base"
