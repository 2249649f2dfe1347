"""gunicorn's settings for Saring, for `make serve` and the benchmarks (`gunicorn -c gunicorn.conf.py app:app`).

Threaded workers (gthread): while some requests wait on the database (SQLite's write lock held by
another process, up to SQLITE_BUSY_TIMEOUT_MS; a PostgreSQL lock, up to DATABASE_LOCK_TIMEOUT_MS), the
worker's other threads go on answering pages, where a sync worker would be stuck whole and learners'
reads would queue behind the writes. The database drivers let other threads run while they wait. Four
threads each need at most two of the pool's 15 connections (their own, and the limits on guessing's).
`bench/faults.py --worker-class sync` measures the other choice; README's Deployment gives the figures.
"""

worker_class = "gthread"
threads = 4
# a connection closes after its answer, as with sync workers: a kept-alive connection the worker closes
# just as a client sends on it drops that request (a POST is not resent), as the realistic load showed;
# a reverse proxy in front keeps the phones' connections alive
keepalive = 0
# a worker takes a connection only with a thread free for it: otherwise a visitor's page can queue in a
# worker whose threads all wait on a lock while another worker has threads free
worker_connections = threads
timeout = 30  # a request still running then is a bug: the database's own timeouts end waits well before
