"""Readers for files a user may bring: IDX (raw or gzipped), .npz and CSV (raw or gzipped).

Every reader checks what a file claims before trusting it. A header that promises a huge
array is refused before any memory is allocated, because shared classroom files can be
broken or hostile; .npz files are never unpickled. Each format has its own module; this
one gathers them under the names the rest of RegStudio imports.
"""

from __future__ import annotations

from .csv_reader import LABEL_HEADERS, read_csv
from .idx_reader import IDX_TYPES, read_idx
from .npz_reader import NpzArchive, read_npz
from .streams import MAX_ARRAY_BYTES, MAX_TEXT_BYTES, MAX_TOTAL_BYTES

__all__ = ["IDX_TYPES", "LABEL_HEADERS", "MAX_ARRAY_BYTES", "MAX_TEXT_BYTES", "MAX_TOTAL_BYTES", "NpzArchive",
           "read_csv", "read_idx", "read_npz"]
