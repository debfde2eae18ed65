"""`deltaprop fetch-data` against local HTTP servers on 127.0.0.1: one serving the shared
copies (zip.* gzipped on the fly), one that drops the connection midway, one serving corrupt
files, one that never answers. A failed download leaves nothing at the destination."""

import gzip
import hashlib
import http.server
import os
import re
import sys
import threading

import pytest

from deltaprop.cli import main
from deltaprop.datasets import load_digits
from deltaprop.fetch import REMOTE_FILES, FetchError, fetch_data

from conftest import require_shared_data

NAMES = ["features.train", "features.test", "zip.train", "zip.test"]
TIMEOUT = 10.0  # seconds; every download in these tests is bounded by it


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``self.server.files`` (URL name → bytes); ``self.server.mode`` spoils them."""

    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        body = server.files.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404, "not here")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if server.mode == "drop":  # promise the whole body, send a part, hang up
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.close_connection = True
        elif server.mode == "stall":  # send a part, then nothing until the test ends
            self.wfile.write(body[:100])
            self.wfile.flush()
            server.release.wait(TIMEOUT)
        else:
            self.wfile.write(body)

    def log_message(self, *args):
        pass  # keep the test output clean


@pytest.fixture
def serve():
    """Start a server for a {name: bytes} dict, in a thread, on an ephemeral port; returns its
    base URL and the server (``.requests`` lists the paths asked for). All are shut down after."""
    servers = []

    def start(files, mode="normal"):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.files, server.mode, server.requests = files, mode, []
        server.release = threading.Event()
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/", server

    yield start
    for server, thread in servers:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


@pytest.fixture
def shared_files(tmp_path):
    """The shared copies under the names the public servers use: zip.* gzipped."""
    data = require_shared_data(*NAMES)
    files = {}
    for f in REMOTE_FILES:
        content = (data / f.name).read_bytes()
        files[f.remote] = gzip.compress(content, compresslevel=1) if f.remote.endswith(".gz") else content
    return files


def small_files():
    """Stand-ins with the right names and the wrong content (no shared data needed)."""
    files = {f.remote: b"3 0.25 -2.5\n" * 500 for f in REMOTE_FILES}
    for f in REMOTE_FILES:
        if f.remote.endswith(".gz"):
            files[f.remote] = gzip.compress(files[f.remote])
    return files


def test_downloads_check_and_store_the_files(serve, shared_files, tmp_path):
    data = require_shared_data(*NAMES)
    url, server = serve(shared_files)
    dest = tmp_path / "new" / "folder"
    paths = fetch_data(dest, base_url=url, progress=False, timeout=TIMEOUT)
    assert [p.name for p in paths] == NAMES
    assert sorted(p.name for p in dest.iterdir()) == sorted(NAMES)  # no temporary files left
    for f in REMOTE_FILES:
        stored = (dest / f.name).read_bytes()
        assert sha256(stored) == f.sha256 == sha256((data / f.name).read_bytes())
    assert sorted(server.requests) == sorted("/" + f.remote for f in REMOTE_FILES)
    umask = os.umask(0)
    os.umask(umask)
    assert {p.stat().st_mode & 0o777 for p in paths} == {0o666 & ~umask}  # not owner-only
    # a second run finds them all present and correct: nothing is downloaded again
    fetch_data(dest, base_url=url, progress=False, timeout=TIMEOUT)
    assert len(server.requests) == 4
    fetch_data(dest, base_url=url, progress=False, timeout=TIMEOUT, force=True)
    assert len(server.requests) == 8


def test_fetched_data_is_what_load_digits_finds(serve, shared_files, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DELTAPROP_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url, _ = serve(shared_files)
    assert main(["fetch-data", "--base-url", url, "--no-progress"]) == 0
    assert str(tmp_path / "xdg" / "deltaprop") in capsys.readouterr().out
    train = load_digits(split="train")
    assert len(train) == 7291 and "user data folder" in capsys.readouterr().err


def test_a_dropped_connection_leaves_nothing(serve, tmp_path):
    url, _ = serve(small_files(), mode="drop")
    dest = tmp_path / "dest"
    with pytest.raises(FetchError, match=r"features.train: connection dropped after 2000 of 6000 bytes"):
        fetch_data(dest, base_url=url, progress=False, timeout=TIMEOUT)
    assert not dest.exists()  # nor the folder it would have made


def test_a_corrupt_file_leaves_nothing(serve, tmp_path):
    url, _ = serve(small_files())
    dest = tmp_path / "dest"
    dest.mkdir()  # a folder that was there before stays, empty
    with pytest.raises(FetchError, match="features.train: checksum mismatch") as info:
        fetch_data(dest, base_url=url, progress=False, timeout=TIMEOUT)
    assert REMOTE_FILES[0].sha256 in str(info.value)
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize("spoil, error", [("flip a byte", "corrupt gzip data"),
                                          ("truncate", "the gzip stream ends early")])
def test_a_corrupt_gzip_file_leaves_nothing_of_it(serve, shared_files, tmp_path, spoil, error):
    packed = bytearray(shared_files["zip.train.gz"])
    if spoil == "flip a byte":
        packed[len(packed) // 2] ^= 0xFF
    else:
        del packed[len(packed) // 2:]  # a complete response, but of half a gzip stream
    url, _ = serve({**shared_files, "zip.train.gz": bytes(packed)})
    dest = tmp_path / "dest"
    with pytest.raises(FetchError, match=f"zip.train.gz: {error}"):
        fetch_data(dest, base_url=url, progress=False, timeout=TIMEOUT)
    # the two files completed before it stay (each checked); no trace of zip.train
    assert sorted(p.name for p in dest.iterdir()) == ["features.test", "features.train"]


def test_http_errors_and_silence_are_clear(serve, tmp_path):
    url, _ = serve({})
    with pytest.raises(FetchError, match="features.train: HTTP error 404"):
        fetch_data(tmp_path / "a", base_url=url, progress=False, timeout=TIMEOUT)
    url, _ = serve(small_files(), mode="stall")
    with pytest.raises(FetchError, match=r"timed out after 0.5 s without data \(100 bytes received\)"):
        fetch_data(tmp_path / "b", base_url=url, progress=False, timeout=0.5)
    assert not (tmp_path / "b").exists()
    # nothing listening there: refused at once
    with pytest.raises(FetchError, match="cannot connect"):
        fetch_data(tmp_path / "c", base_url="http://127.0.0.1:9/", progress=False, timeout=TIMEOUT)


def test_the_command_reports_errors_in_one_line(serve, tmp_path, capsys):
    url, _ = serve(small_files())
    assert main(["fetch-data", "--dest", str(tmp_path), "--base-url", url, "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "checksum mismatch" in err


def test_offline_the_command_says_the_data_is_shipped_and_leaves_no_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    # nothing listens on port 9 of this machine: refused at once, as with no network
    assert main(["fetch-data", "--base-url", "http://127.0.0.1:9/", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.fullmatch(  # one line; the reason's wording is the operating system's
        r"deltaprop fetch-data: error: http://127\.0\.0\.1:9/features\.train: cannot connect "
        r"\([^\n]*\); not needed: deltaprop already ships these files, and `deltaprop digits` "
        r"uses them without a download\n", captured.err), captured.err
    assert list(tmp_path.iterdir()) == []  # neither xdg/ nor xdg/deltaprop/ was left behind
    # nested folders given with --dest go too, up to the first one that was there
    assert main(["fetch-data", "--dest", str(tmp_path / "a" / "b"), "--base-url",
                 "http://127.0.0.1:9/", "--no-progress"]) == 1
    assert list(tmp_path.iterdir()) == []


def test_progress_without_tqdm_is_one_line_of_percentages(serve, shared_files, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    url, _ = serve(shared_files)
    fetch_data(tmp_path, base_url=url, progress=True, timeout=TIMEOUT)
    err = capsys.readouterr().err
    last = err.split("\n")[0].split("\r")[-1]
    assert last == f"features.train: 100% of {len(shared_files['features.train'])} bytes"
