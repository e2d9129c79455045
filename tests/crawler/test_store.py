"""The SQLite store on real files: atomic writes, readers during writes, upserts, the default location."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing

import pytest

from crawler.store import (
    SCHEMA,
    DroppedRecord,
    ItemRecord,
    QuarantineRecord,
    Store,
    connect,
    default_db_path,
    table_names,
    transaction,
)
from detector.errors import ConfigError


def item(url: str = "https://news.example/a.html", text: str = "Story.", digest: str = "h1", **changes) -> ItemRecord:
    """An item record with sensible defaults."""
    fields = dict(
        url=url,
        canonical_url=None,
        title="T",
        published=None,
        author=None,
        text=text,
        status="clean",
        score=0.1,
        flagged="{}",
        model_version="m1",
        fetched_at="2025-01-01T00:00:00Z",
        content_hash=digest,
    )
    return ItemRecord(**{**fields, **changes})


def quarantine(url: str = "https://news.example/a.html", digest: str = "h1", raw: bytes | None = b"<p>x</p>"):
    """A quarantine record (raw=None violates NOT NULL: a write that must fail)."""
    return QuarantineRecord(url, raw, "text/html", "utf-8", "[]", 0.9, "m1", "2025-01-01T00:00:00Z", digest)


def test_item_and_quarantine_are_written_together_or_not_at_all(tmp_path):
    store = Store.open(tmp_path / "s.db")
    with pytest.raises(sqlite3.IntegrityError):
        store.save_item(item(status="contaminated"), quarantine(raw=None))
    assert store.counts()["items"] == 0 and store.counts()["quarantine"] == 0
    store.save_item(item(status="contaminated"), quarantine())
    assert (store.counts()["items"], store.counts()["quarantine"]) == (1, 1)


def test_a_url_is_one_item_updated_in_place_and_dropped_rows_give_way(tmp_path):
    store = Store.open(tmp_path / "s.db")
    assert store.save_dropped(DroppedRecord("https://news.example/a.html", "empty-text", "", "2025-01-01T00:00:00Z"))
    store.save_item(item(text="Old."))
    store.save_item(item(text="New.", digest="h2"))
    assert [row["text"] for row in store.iter_items()] == ["New."]
    assert store.counts()["dropped"] == {}
    assert store.known_page("https://news.example/a.html").content_hash == "h2"
    assert store.known_page("https://news.example/other.html") is None


def test_the_same_dropped_page_is_not_written_twice(tmp_path):
    store = Store.open(tmp_path / "s.db")
    record = DroppedRecord("https://news.example/", "not-article", "listing page", "2025-01-01T00:00:00Z", "h")
    assert store.save_dropped(record) is True
    assert store.save_dropped(DroppedRecord(**{**record.__dict__, "fetched_at": "2025-02-01T00:00:00Z"})) is False
    assert store.save_dropped(DroppedRecord(**{**record.__dict__, "content_hash": "h2"})) is True


def test_a_reader_keeps_its_snapshot_while_a_writer_commits(tmp_path):
    db = tmp_path / "s.db"
    writer = Store.open(db)
    writer.save_item(item())
    reader = connect(db)
    reader.execute("BEGIN")
    assert reader.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 1
    done = threading.Event()
    threading.Thread(target=lambda: (writer.save_item(item("https://news.example/b.html")), done.set())).start()
    assert done.wait(10), "the writer was blocked by a reader"
    assert reader.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 1
    reader.execute("COMMIT")
    assert reader.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 2


def test_transaction_rolls_back_on_error(tmp_path):
    conn = connect(tmp_path / "s.db")
    conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0


def test_connect_sets_wal_and_refuses_what_is_not_a_database(tmp_path):
    assert connect(tmp_path / "new" / "s.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00\x01 not sqlite " * 500)
    with pytest.raises(ConfigError, match="cannot open as a SQLite database"):
        Store.open(junk)
    with pytest.raises(ConfigError, match="is a directory"):
        connect(tmp_path)
    with pytest.raises(ConfigError, match="no such database"):
        Store.open_existing(tmp_path / "missing.db")


def test_readers_open_a_store_read_only_and_refuse_what_is_not_one(tmp_path):
    """`stats` and `export` read: an empty file or another program's SQLite file is refused and left byte for byte
    as it was (an empty file had become a store, a foreign one switched to WAL); a store lacking a table reads it as
    empty; a reader's store cannot write."""
    empty = tmp_path / "page.html"
    empty.write_bytes(b"")
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as conn, conn:
        conn.execute("CREATE TABLE items (a TEXT)")
    for path, message in ((empty, "it holds no tables"), (foreign, "table items has none of our columns")):
        before = path.read_bytes()
        with pytest.raises(ConfigError, match=message):
            Store.open_existing(path)
        assert path.read_bytes() == before and not path.with_name(f"{path.name}-wal").exists()
    older = tmp_path / "older.db"
    with closing(sqlite3.connect(older)) as conn, conn:
        conn.executescript(SCHEMA.split("CREATE TABLE IF NOT EXISTS crawl_runs")[0])
    store = Store.open_existing(older)
    assert store.counts()["crawls"] == 0 and table_names(older) == {"items", "quarantine", "dropped"}
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.save_item(item())


def test_default_path_is_in_the_user_data_folder_unless_overridden(monkeypatch, tmp_path):
    monkeypatch.delenv("HYGIENE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "scraper-hygiene" / "hygiene.db"
    monkeypatch.setenv("HYGIENE_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_scheduler_tables_can_live_in_the_same_file(tmp_path):
    db = tmp_path / "s.db"
    other = connect(db)
    with transaction(other):
        other.execute("CREATE TABLE schedule_jobs (id INTEGER PRIMARY KEY, name TEXT)")
    store = Store.open(db)
    store.save_item(item())
    names = {row[0] for row in other.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"schedule_jobs", "items", "quarantine", "dropped", "crawl_runs"} <= names


def damage(path) -> None:
    """Overwrite one page in the middle of a store file with junk, as a disk fault would."""
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page : 4 * page] = b"\xab" * page
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged_store(tmp_path):
    """A store file of a few hundred items, then a data page overwritten with junk (checkpointed first)."""
    path = tmp_path / "damaged.db"
    store = Store.open(path)
    for n in range(300):
        store.save_item(item(f"https://news.example/{n}.html", text="A paragraph of the story. " * 80))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    damage(path)
    return path


def test_a_damaged_store_is_a_one_line_error_when_read(damaged_store):
    store = Store.open_existing(damaged_store)
    with pytest.raises(ConfigError, match="damaged.db: not a hygiene store or damaged: ") as caught:
        store.check_integrity()
    assert "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match="not a hygiene store or damaged: database disk image is malformed"):
        list(store.iter_items())


def test_a_new_store_records_its_schema_version(tmp_path):
    Store.open(tmp_path / "s.db").close()
    assert sqlite3.connect(tmp_path / "s.db").execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_store_made_before_schema_versions_keeps_working(tmp_path):
    """The tables as the previous code made them (no version recorded: user_version 0) are read as version 1."""
    from crawler.store import SCHEMA

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA)
    store = Store.open(path)
    store.save_item(item())
    assert store.counts()["items"] == 1
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        ("PRAGMA user_version = 2", r"store schema version 2 is newer than this program reads \(1\)"),
        (
            "CREATE TABLE items (id INTEGER PRIMARY KEY, url TEXT, body TEXT)",
            "not a hygiene store or damaged: table items lacks author, canonical_url",
        ),
    ],
    ids=["newer-version", "foreign-table"],
)
def test_a_newer_or_foreign_store_is_refused_untouched(tmp_path, prepare, message):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute(prepare)
    with pytest.raises(ConfigError, match=message) as caught:
        Store.open(path)
    assert "\n" not in str(caught.value)
    tables = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "quarantine" not in tables
