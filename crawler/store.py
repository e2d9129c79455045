"""The SQLite store of crawled pages: clean items, quarantined raw pages, dropped pages with a reason.

No Scrapy here: `hygiene export`, `hygiene stats` and the scheduler read and write the same file.
Every write is one short `BEGIN IMMEDIATE` transaction; the database runs in WAL mode, so readers
see a consistent snapshot while a crawl writes, and a killed crawl never leaves half an item.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from platformdirs import user_data_path

from detector.errors import ConfigError

APP_NAME = "scraper-hygiene"
DB_FILENAME = "hygiene.db"
DB_ENV_VAR = "HYGIENE_DB"
BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another writer (a crawl, the scheduler) before giving up."""
SCHEMA_VERSION = 1
"""`PRAGMA user_version` of a store file, for every table in it (crawl and schedule); 0 is a store made before
versions were recorded, read as version 1."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    canonical_url TEXT,
    title TEXT,
    published TEXT,
    author TEXT,
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('clean', 'contaminated')),
    score REAL NOT NULL,
    flagged TEXT NOT NULL,
    model_version TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    lastmod TEXT
);
CREATE INDEX IF NOT EXISTS items_fetched_at ON items (fetched_at);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    raw BLOB NOT NULL,
    content_type TEXT,
    encoding TEXT,
    flagged TEXT NOT NULL,
    score REAL NOT NULL,
    model_version TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    UNIQUE (url, content_hash)
);
CREATE INDEX IF NOT EXISTS quarantine_fetched_at ON quarantine (fetched_at);
CREATE TABLE IF NOT EXISTS dropped (
    url TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    fetched_at TEXT NOT NULL,
    content_hash TEXT
);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    finish_reason TEXT NOT NULL,
    seeds TEXT NOT NULL,
    stats TEXT NOT NULL
);
"""
SET_SCHEMA_VERSION = f"PRAGMA user_version = {SCHEMA_VERSION}"


def default_db_path() -> Path:
    """`$HYGIENE_DB` if set, else `hygiene.db` in the user's data folder (XDG on Linux)."""
    if os.environ.get(DB_ENV_VAR):
        return Path(os.environ[DB_ENV_VAR]).expanduser()
    return user_data_path(APP_NAME, appauthor=False) / DB_FILENAME


def given_db_path(value: str | os.PathLike) -> Path:
    """A store path given with --db, whose folder must exist: a typo must not create folders (only the default
    store's folder is made)."""
    path = Path(value).expanduser()
    if not path.parent.is_dir():
        raise ConfigError(f"--db {value}: no such folder {path.parent}")
    return path


def utc_now() -> str:
    """The current time as an ISO-8601 UTC string with a `Z` suffix, the store's timestamp format."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def connect(path: str | os.PathLike) -> sqlite3.Connection:
    """Open (creating if needed) a SQLite file with the store's pragmas: WAL, busy timeout, autocommit.

    Use `transaction(conn)` around writes. Raises ConfigError if the file is not a SQLite database.
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    except (sqlite3.DatabaseError, OSError) as exc:
        raise ConfigError(f"{path}: cannot open as a SQLite database ({exc})") from None
    conn.row_factory = sqlite3.Row
    return conn


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing SQLite file for reading only (no journal mode is changed, no table made)."""
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    return conn


def add_missing_tables_as_temporary(conn: sqlite3.Connection, schema: str, existing: set[str]) -> None:
    """Empty TEMP copies of the tables of `schema` a store lacks (read-only connections may create those)."""
    for statement, table in TABLE_STATEMENTS.findall(schema):
        if table not in existing:
            conn.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))


TABLE_STATEMENTS = re.compile(r"(CREATE TABLE IF NOT EXISTS (\w+) \(.*?\n\));", re.DOTALL)
"""The table statements of a schema script: (statement, table name)."""


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one `BEGIN IMMEDIATE` transaction: committed whole or rolled back whole."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def reading(path: str | os.PathLike) -> Iterator[None]:
    """Turn a SQLite error while reading the store at `path` into a one-line ConfigError naming the file."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: not a hygiene store or damaged: {exc}") from None


@cache
def schema_columns(schema: str) -> dict[str, frozenset[str]]:
    """The columns of every table a schema script creates (built in memory, so the script is the one truth)."""
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.executescript(schema)
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: table_columns(conn, table) for table in tables if not table.startswith("sqlite_")}


def table_columns(conn: sqlite3.Connection, table: str) -> frozenset[str]:
    """The column names of a table (empty when there is no such table)."""
    return frozenset(row[1] for row in conn.execute(f"PRAGMA table_info({table})"))


def existing_tables(conn: sqlite3.Connection, path: str | os.PathLike, schema: str) -> set[str]:
    """The tables of `schema` the file already holds, each checked to have every column the schema gives it;
    ConfigError for a store of a newer schema version or a table that lacks columns (a foreign file)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"{path}: store schema version {version} is newer than this program reads ({SCHEMA_VERSION}):"
            " upgrade scraper-hygiene, or it is not a hygiene store"
        )
    existing = set()
    for table, expected in schema_columns(schema).items():
        missing = expected - table_columns(conn, table)
        if missing == expected:
            continue
        if missing:
            lacking = ", ".join(sorted(missing))
            raise ConfigError(f"{path}: not a hygiene store or damaged: table {table} lacks {lacking}")
        existing.add(table)
    return existing


@dataclass
class ItemRecord:
    """A stored article: clean text plus what the detector said about the page."""

    url: str
    canonical_url: str | None
    title: str | None
    published: str | None
    author: str | None
    text: str
    status: str
    score: float
    flagged: str
    model_version: str
    fetched_at: str
    content_hash: str
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None


@dataclass
class QuarantineRecord:
    """The raw bytes of a contaminated page and every block flagged in it (JSON list)."""

    url: str
    raw: bytes
    content_type: str | None
    encoding: str | None
    flagged: str
    score: float
    model_version: str
    fetched_at: str
    content_hash: str


@dataclass
class DroppedRecord:
    """A page that produced no item, with the reason (`not-article`, `empty-text`, `fetch-error` ...)."""

    url: str
    reason: str
    detail: str
    fetched_at: str
    content_hash: str | None = None


@dataclass
class KnownPage:
    """What the store remembers about a URL, to skip unchanged pages and send conditional requests."""

    content_hash: str | None
    model_version: str | None
    etag: str | None
    last_modified: str | None
    lastmod: str | None


def _insert_sql(table: str, columns: list[str], conflict: str) -> str:
    """An INSERT statement with named parameters for `columns` and an ON CONFLICT clause."""
    names = ", ".join(columns)
    params = ", ".join(f":{c}" for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({params}) {conflict}"


def _upsert_sql(table: str, columns: list[str], key: str) -> str:
    """An INSERT that updates every non-key column when `key` already exists."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return _insert_sql(table, columns, f"ON CONFLICT ({key}) DO UPDATE SET {updates}")


ITEM_COLUMNS = list(ItemRecord.__dataclass_fields__)
QUARANTINE_COLUMNS = list(QuarantineRecord.__dataclass_fields__)
DROPPED_COLUMNS = list(DroppedRecord.__dataclass_fields__)
UPSERT_ITEM = _upsert_sql("items", ITEM_COLUMNS, "url")
INSERT_QUARANTINE = _insert_sql("quarantine", QUARANTINE_COLUMNS, "ON CONFLICT (url, content_hash) DO NOTHING")
UPSERT_DROPPED = _upsert_sql("dropped", DROPPED_COLUMNS, "url")


class Store:
    """The crawl store on one connection; create it with `Store.open(path)`."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> Store:
        """Open or create the store at `path` (default: `default_db_path()`), creating missing tables; ConfigError
        for a damaged or foreign file or a newer schema."""
        path = Path(path) if path else default_db_path()
        conn = connect(path)
        try:
            _ensure_schema(conn, path)
        except ConfigError:
            conn.close()
            raise
        return cls(conn, path)

    @classmethod
    def open_existing(cls, path: str | os.PathLike | None = None) -> Store:
        """Open a store that must already exist, read-only (for readers: nothing is created or converted, tables it
        lacks read as empty); ConfigError for a missing, empty, foreign, damaged or newer file."""
        path = Path(path) if path else default_db_path()
        if not path.is_file():
            raise ConfigError(f"{path}: no such database (run `hygiene crawl` first or pass --db)")
        tables, ours = table_names(path), set(schema_columns(SCHEMA))
        if not tables & ours:
            held = f"it holds {', '.join(sorted(tables)[:5])}" if tables else "it holds no tables"
            raise ConfigError(f"{path}: not a hygiene store ({held})")
        conn = connect_read_only(path)
        try:
            with reading(path):
                existing = existing_tables(conn, path, SCHEMA)
            foreign = sorted(tables & ours - existing)
            if foreign:
                raise ConfigError(f"{path}: not a hygiene store or damaged: table {foreign[0]} has none of our columns")
            add_missing_tables_as_temporary(conn, SCHEMA, existing)
        except ConfigError:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def check_integrity(self) -> None:
        """ConfigError naming the first fault SQLite's quick check finds in the file (it reads every page once)."""
        with reading(self.path):
            (verdict,) = self.conn.execute("PRAGMA quick_check(1)").fetchone()
        if verdict != "ok":
            raise ConfigError(f"{self.path}: not a hygiene store or damaged: {' '.join(verdict.split())}")

    def check_writable(self) -> None:
        """ConfigError when the store file or its write-ahead log is read-only (for root too: an immutable file)."""
        for path in (self.path, self.path.with_name(f"{self.path.name}-wal")):
            if path.exists() and not os.access(path, os.W_OK):
                raise ConfigError(f"{self.path}: cannot write to the store ({path} is read-only)")

    def known_page(self, url: str) -> KnownPage | None:
        """The stored hash, model version and HTTP validators of `url` (item or dropped page), if any."""
        row = self.conn.execute(
            "SELECT content_hash, model_version, etag, last_modified, lastmod FROM items WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT content_hash, NULL AS model_version, NULL AS etag, NULL AS last_modified,"
                " NULL AS lastmod FROM dropped WHERE url = ?",
                (url,),
            ).fetchone()
        return KnownPage(**dict(row)) if row else None

    def save_item(self, item: ItemRecord, quarantine: QuarantineRecord | None = None) -> None:
        """Store an item (replacing an older version of the URL) and its quarantine record, atomically."""
        with transaction(self.conn):
            self.conn.execute(UPSERT_ITEM, asdict(item))
            if quarantine is not None:
                self.conn.execute(INSERT_QUARANTINE, asdict(quarantine))
            self.conn.execute("DELETE FROM dropped WHERE url = ?", (item.url,))

    def clear_dropped_of_item(self, url: str) -> None:
        """Forget why a fetch of a stored page failed once it is fetched again (its item stays what it was)."""
        with transaction(self.conn):
            self.conn.execute("DELETE FROM dropped WHERE url = ? AND url IN (SELECT url FROM items)", (url,))

    def save_dropped(self, record: DroppedRecord) -> bool:
        """Record a dropped page unless the same reason and content are already recorded; True if written."""
        with transaction(self.conn):
            same = self.conn.execute(
                "SELECT 1 FROM dropped WHERE url = ? AND reason = ? AND detail = ? AND content_hash IS ?",
                (record.url, record.reason, record.detail, record.content_hash),
            ).fetchone()
            if same is None:
                self.conn.execute(UPSERT_DROPPED, asdict(record))
        return same is None

    def record_crawl(self, started_at: str, finish_reason: str, seeds: list[str], stats: dict) -> None:
        """Keep a line per finished crawl: when, why it stopped, the seeds and its `hygiene/*` stats."""
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO crawl_runs (started_at, finished_at, finish_reason, seeds, stats) VALUES (?, ?, ?, ?, ?)",
                (started_at, utc_now(), finish_reason, json.dumps(seeds), json.dumps(stats, sort_keys=True)),
            )

    def iter_items(self, since: str | None = None) -> Iterator[sqlite3.Row]:
        """Stored items in fetch order, optionally only those fetched at or after `since` (ISO UTC); ConfigError
        if the file turns out damaged while reading."""
        return self._iter_table("items", ITEM_COLUMNS, since)

    def iter_quarantine(self, since: str | None = None) -> Iterator[sqlite3.Row]:
        """Quarantine records in fetch order, optionally only those fetched at or after `since`."""
        return self._iter_table("quarantine", QUARANTINE_COLUMNS, since)

    def _iter_table(self, table: str, columns: list[str], since: str | None) -> Iterator[sqlite3.Row]:
        """The rows of `table` (one read snapshot) ordered by fetch time."""
        sql = f"SELECT {', '.join(columns)} FROM {table}"
        params: tuple = ()
        if since:
            sql += " WHERE fetched_at >= ?"
            params = (since,)
        with reading(self.path):
            yield from self.conn.execute(sql + " ORDER BY fetched_at, id", params)

    def counts(self) -> dict:
        """Counts for `hygiene stats`: items by status, quarantine records, dropped pages by reason."""
        with reading(self.path):
            return self._counts()

    def _counts(self) -> dict:
        """`counts` without the translation of SQLite errors."""
        items = dict(self.conn.execute("SELECT status, COUNT(*) FROM items GROUP BY status").fetchall())
        dropped = dict(self.conn.execute("SELECT reason, COUNT(*) FROM dropped GROUP BY reason").fetchall())
        models = dict(self.conn.execute("SELECT model_version, COUNT(*) FROM items GROUP BY model_version").fetchall())
        last = self.conn.execute(
            "SELECT started_at, finished_at, finish_reason, stats FROM crawl_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return {
            "db": str(self.path),
            "items": sum(items.values()),
            "clean": items.get("clean", 0),
            "contaminated": items.get("contaminated", 0),
            "quarantine": self.conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0],
            "dropped": dropped,
            "model_versions": models,
            "crawls": self.conn.execute("SELECT COUNT(*) FROM crawl_runs").fetchone()[0],
            "last_crawl": _last_crawl(last),
        }


def table_names(path: Path) -> set[str]:
    """The tables of a SQLite file, read without writing to it; ConfigError when it is no SQLite file."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: cannot open as a SQLite database ({exc})") from None
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Check the store's tables and create the missing ones, recording the schema version (a store that holds them
    all is only read, so read-only users never take a write lock)."""
    with reading(path):
        existing = existing_tables(conn, path, SCHEMA)
    if existing == set(schema_columns(SCHEMA)):
        return
    try:
        conn.executescript(f"BEGIN IMMEDIATE; {SCHEMA} {SET_SCHEMA_VERSION}; COMMIT;")
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: cannot create the store tables ({exc})") from None


def _last_crawl(row: sqlite3.Row | None) -> dict | None:
    """The last crawl line as a plain dict with its stats decoded."""
    if row is None:
        return None
    return {**dict(row), "stats": json.loads(row["stats"])}
