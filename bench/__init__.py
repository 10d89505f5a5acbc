"""The benchmark suite of issue 16 (``make bench``): a synthetic book on the real PostgreSQL and the
measurements against their floors. See README "Benchmarks".

``bench.book`` builds the book, ``bench.run`` measures and prints the table (``python -m bench``).
Like ``config`` and ``tools``, this package sits above every app and may import any of them.
"""
