"""The session store (SESSION_ENGINE): Django's database sessions, whose refresh on every request commits without
waiting for the disk.

Sessions are saved on every request so that they end after an idle hour (SESSION_SAVE_EVERY_REQUEST, see
accounts.middleware): on a page that changed nothing in its session the save only moves the expiry on, and its
synchronous commit was a write-ahead-log flush on every staff page (a few milliseconds on a plain disk, tens
while the database is busy writing). That refresh commits asynchronously (PostgreSQL documentation,
"Asynchronous Commit": visible to everyone at once; a crash of the database server within three times
wal_writer_delay, 600 ms by default, may lose it): a lost refresh ends a session at most that much sooner.
A session created, changed or ended is written as Django writes it."""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, connections, router, transaction


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        using = router.db_for_write(self.model)
        if (
            must_create
            or self.modified
            or self.session_key is None
            or connections[using].vendor != "postgresql"
        ):
            return super().save(must_create=must_create)
        # Django's own update (django.contrib.sessions.backends.db), in a transaction that commits
        # asynchronously, without the savepoint Django's would add inside it.
        obj = self.create_model_instance(self._get_session())
        try:
            with transaction.atomic(using=using):
                with connections[using].cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                obj.save(force_update=True, using=using)
        except DatabaseError as exc:  # the session was ended meanwhile: as Django's own save says it
            raise UpdateError from exc
