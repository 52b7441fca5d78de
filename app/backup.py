"""`flask backup` / `flask restore` for the embedded SQLite set-up: database and uploads in one
archive. PostgreSQL installations use pg_dump/pg_restore (docs/OPERATIONS.md)."""

import json
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

DB_MEMBER = "ordergate.sqlite3"
UPLOADS_MEMBER = "uploads"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """Why a backup or restore cannot be done; the command prints it and exits 1."""


def sqlite_path(url) -> Path:
    """The database file of a SQLite URL; other databases are refused."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "backup/restore handle a SQLite file only; for PostgreSQL use pg_dump and pg_restore "
            "(docs/OPERATIONS.md)"
        )
    return Path(url.database)


def backup(db_file: Path, uploads: Path, target: Path) -> dict:
    """Copy the live database with SQLite's online backup API, add the uploads, write a .tar.gz."""
    if not db_file.exists():
        raise BackupError(f"no database at {db_file}")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / DB_MEMBER
        source = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        dest = sqlite3.connect(copy)
        try:
            source.backup(dest)  # a consistent snapshot while the app keeps writing
        finally:
            dest.close()
            source.close()
        files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.is_dir() else []
        manifest = {
            "made_at": datetime.now(UTC).isoformat(),
            "database_bytes": copy.stat().st_size,
            "uploads": len(files),
        }
        (Path(tmp) / MANIFEST).write_text(json.dumps(manifest))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(tmp) / MANIFEST, MANIFEST)
            tar.add(copy, DB_MEMBER)
            for path in files:
                tar.add(path, f"{UPLOADS_MEMBER}/{path.relative_to(uploads).as_posix()}")
        partial.replace(target)  # never leave a half-written archive under the real name
    return manifest


def _has_data(db_file: Path) -> bool:
    if not db_file.exists() or db_file.stat().st_size == 0:
        return False
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return any(
            conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()
            for name in tables
            if name != "alembic_version" and not name.startswith("sqlite_")
        )
    finally:
        conn.close()


def restore(archive: Path, db_file: Path, uploads: Path, force: bool) -> dict:
    """Put an archive's database and uploads in place; a database with data needs `force`."""
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    if _has_data(db_file) and not force:
        raise BackupError(
            f"{db_file} already holds data; restoring would replace it. Use --force to do so."
        )
    try:
        return _restore(archive, db_file, uploads)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"{archive} cannot be read as an OrderGate backup ({exc})") from exc


def _restore(archive: Path, db_file: Path, uploads: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        if DB_MEMBER not in names or MANIFEST not in names:
            raise BackupError(f"{archive} is not an OrderGate backup")
        tar.extractall(tmp, filter="data")  # refuses absolute paths, .. and links out
        manifest = json.loads((Path(tmp) / MANIFEST).read_text())
        check = sqlite3.connect(Path(tmp) / DB_MEMBER)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"the database in {archive} is damaged")
        finally:
            check.close()
        db_file.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
        shutil.copyfile(Path(tmp) / DB_MEMBER, db_file)
        if uploads.exists():
            shutil.rmtree(uploads)
        extracted = Path(tmp) / UPLOADS_MEMBER
        if extracted.is_dir():
            shutil.copytree(extracted, uploads)
        else:
            uploads.mkdir(parents=True, exist_ok=True)
    return manifest
