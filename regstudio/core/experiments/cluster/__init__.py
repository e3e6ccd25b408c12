"""A search's trials on Dask distributed workers: local processes on this computer, or a lab's PCs."""
