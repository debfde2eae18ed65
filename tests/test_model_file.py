"""Model files: a save and a load give back the network bit for bit, the bytes are the documented
format (checked here with struct and zlib, independently of the C++ writer), and every damaged
file is refused with a ModelFileError that names its fault, never a crash.
"""

import copy
import os
import pickle
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deltaprop
from deltaprop import model_file
from deltaprop.model_file import ModelFileError

CORPUS = Path(__file__).resolve().parent.parent / "fuzz" / "corpus" / "model_file"


def weight_bits(net):
    """The weights as raw bytes, so NaN payloads and -0 compare exactly."""
    return [w.tobytes() for w in net.weights]


def same_network(a, b):
    return (a.dims == b.dims and a.output == b.output and a.dtype == b.dtype
            and weight_bits(a) == weight_bits(b))


def reseal(data):
    """The bytes with the length field and CRC-32 made right again, as a writer would."""
    body = bytearray(data[:-4])
    body[12:20] = struct.pack("<Q", len(body) + 4)
    return bytes(body) + struct.pack("<I", zlib.crc32(body))


def kind_of(data):
    with pytest.raises(ModelFileError) as info:
        model_file.from_bytes(data)
    return info.value.kind


@pytest.fixture
def small():
    return deltaprop.Network([2, 3, 1], seed=7)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("output", ["tanh", "identity"])
def test_round_trip_is_bit_for_bit(tmp_path, dtype, output):
    net = deltaprop.Network([4, 6, 3, 2], output=output, dtype=dtype, seed=3)
    w = net.weights[0]
    bits = w.view(np.uint32 if dtype == np.float32 else np.uint64)
    # Values a careless format would change: -0, a subnormal, the extremes, ∞, NaN with payload.
    w[0, :5] = [-0.0, np.finfo(dtype).smallest_subnormal, np.finfo(dtype).max,
                np.finfo(dtype).min, np.inf]
    bits[1, 0] = 0x7FC01234 if dtype == np.float32 else 0x7FF8000000ABCDEF
    path = tmp_path / "net.dpm"
    model_file.save(net, path)
    again = model_file.load(path)
    assert same_network(again, net)
    assert again.seed is None
    assert model_file.to_bytes(again) == path.read_bytes() == model_file.to_bytes(net)
    assert same_network(model_file.from_bytes(path.read_bytes()), net)


@settings(max_examples=30, deadline=None)
@given(dims=st.lists(st.integers(1, 6), min_size=2, max_size=4),
       dtype=st.sampled_from([np.float64, np.float32]), data=st.data())
def test_round_trip_of_any_weights(dims, dtype, data):
    net = deltaprop.Network(dims, dtype=dtype, seed=0)
    uint = np.uint32 if dtype == np.float32 else np.uint64
    for w in net.weights:  # arbitrary bit patterns, NaNs and infinities included
        raw = data.draw(st.lists(st.integers(0, np.iinfo(uint).max), min_size=w.size, max_size=w.size))
        w.view(uint)[...] = np.array(raw, dtype=uint).reshape(w.shape)
    assert same_network(model_file.from_bytes(model_file.to_bytes(net)), net)


def test_bytes_are_the_documented_format():
    # A 1-1 identity network with W^(1) = [[1], [-2]], written out field by field from the spec.
    net = deltaprop.Network([1, 1], output="identity", seed=0)
    net.weights = [np.array([[1.0], [-2.0]])]

    def s(text):
        return bytes([len(text)]) + text.encode()

    body = (b"\x89DPM\r\n\x1a\n" + struct.pack("<IQ", 2, 0) + s("network") + s("float64")
            + s("identity") + s("squared_error") + struct.pack("<I2Q", 2, 1, 1)
            + struct.pack("<2d", 1.0, -2.0)
            + struct.pack("<I", 1) + s("mu") + bytes([1]) + struct.pack("<Q", 2)
            + struct.pack("<2d", 0.5, -0.25))
    body = body[:12] + struct.pack("<Q", len(body) + 4) + body[20:]
    expected = body + struct.pack("<I", zlib.crc32(body))
    assert model_file.to_bytes(net, extra={"mu": [0.5, -0.25]}) == expected


def test_extras_round_trip(tmp_path, small):
    extra = {
        "scaler_min": np.array([-1.5, 0.0]),
        "scaler_max": [3, 4],  # integers become float64
        "scalar": 2.5,
        "empty": np.zeros((0, 3)),
        "matrix": np.arange(6.0).reshape(2, 3)[:, ::-1],  # not contiguous
        "nan": [np.nan, -np.inf],
        "é": [1.0],
    }
    path = tmp_path / "net.dpm"
    model_file.save(small, path, extra=extra)
    net, loaded = model_file.load(path, return_extra=True)
    assert same_network(net, small)
    assert list(loaded) == list(extra)  # the order saved
    for name, value in extra.items():
        want = np.asarray(value, dtype=np.float64)
        assert loaded[name].dtype == np.float64 and loaded[name].shape == want.shape
        np.testing.assert_array_equal(loaded[name], want)
    assert loaded["scalar"].shape == ()
    assert model_file.from_bytes(model_file.to_bytes(small), return_extra=True)[1] == {}


@pytest.mark.parametrize("extra, error, text", [
    ([1.0], TypeError, "mapping"),
    ({1: [1.0]}, TypeError, "names must be str"),
    ({"z": [1j]}, TypeError, "extra['z'] must hold real numbers"),
    ({"s": ["a"]}, TypeError, "extra['s'] must hold real numbers"),
    ({"": [1.0]}, ValueError, "1 to 255 bytes"),
    ({"x" * 256: [1.0]}, ValueError, "1 to 255 bytes"),
    ({"deep": np.zeros((1,) * 33)}, ValueError, "at most 32"),
])
def test_bad_extras_are_refused(small, extra, error, text):
    with pytest.raises(error, match=text.replace("[", r"\[")):
        model_file.to_bytes(small, extra=extra)


def test_every_truncation_is_reported_as_truncated(tmp_path, small):
    data = model_file.to_bytes(small, extra={"scaler_min": [0.0, 1.0]})
    path = tmp_path / "cut.dpm"
    for cut in range(len(data)):
        with pytest.raises(ModelFileError, match="truncated") as info:
            model_file.from_bytes(data[:cut])
        assert info.value.kind == "truncated"
        path.write_bytes(data[:cut])
        with pytest.raises(ModelFileError, match="truncated") as info:
            model_file.load(path)
        assert info.value.kind == "truncated" and info.value.path == str(path)


def test_every_flipped_bit_is_caught(small):
    data = model_file.to_bytes(small, extra={"scaler_min": [0.0, 1.0]})
    for byte in range(len(data)):
        for bit in range(8):
            bad = bytearray(data)
            bad[byte] ^= 1 << bit
            kind = kind_of(bytes(bad))
            if byte < 8:
                assert kind == "bad_magic"
            elif 12 <= byte < 20:  # the length field: the file seems cut or extended
                assert kind in ("truncated", "corrupt")
            else:
                assert kind == "corrupt"
    bad = bytearray(data)
    bad[40] ^= 4
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        model_file.from_bytes(bytes(bad))


def test_wrong_magic_version_and_kind_are_named(tmp_path, small):
    data = model_file.to_bytes(small)
    with pytest.raises(ModelFileError, match="not a deltaprop model file") as info:
        model_file.from_bytes(b"\x89PNG\r\n\x1a\n" + data[8:])
    assert info.value.kind == "bad_magic"
    text = tmp_path / "notes.txt"
    text.write_text("weights: 1 2 3\n")
    with pytest.raises(ModelFileError, match="notes.txt.*not a deltaprop model file"):
        model_file.load(text)

    newer = reseal(data[:8] + struct.pack("<I", 3) + data[12:])
    with pytest.raises(ModelFileError, match="format version 3; this deltaprop reads versions 1 to 2") as info:
        model_file.from_bytes(newer)
    assert info.value.kind == "wrong_version"

    other = reseal(data.replace(b"\x07network", b"\x07netwerk", 1))
    with pytest.raises(ModelFileError, match="holds a 'netwerk', not a 'network'") as info:
        model_file.from_bytes(other)
    assert info.value.kind == "wrong_kind"

    with pytest.raises(ModelFileError, match="header says") as info:
        model_file.from_bytes(data + b"\n")
    assert info.value.kind == "corrupt"
    assert isinstance(info.value, ValueError)


def test_lying_header_is_invalid_not_an_allocation(small):
    data = model_file.to_bytes(small)
    dims_at = 20 + 8 + 8 + 5 + 14 + 4  # after magic..length, kind, dtype, output, loss, layer count
    for d0, text in [(2**31 - 1, "too large"), (2**40, "layer dimension"), (10**8, "the weights claims")]:
        bad = reseal(data[:dims_at] + struct.pack("<Q", d0) + data[dims_at + 8:])
        with pytest.raises(ModelFileError, match=text) as info:
            model_file.from_bytes(bad)
        assert info.value.kind == "invalid"


def test_file_system_errors_are_oserrors(tmp_path, small):
    with pytest.raises(FileNotFoundError, match="missing.dpm"):
        model_file.load(tmp_path / "missing.dpm")
    with pytest.raises(FileNotFoundError):
        model_file.save(small, tmp_path / "no" / "such" / "dir.dpm")
    with pytest.raises(TypeError, match="path must be"):
        model_file.save(small, 3)
    with pytest.raises(TypeError, match="path must be"):
        model_file.load(None)


def test_saving_replaces_whole_and_leaves_no_temporary(tmp_path):
    a = deltaprop.Network([2, 4, 1], seed=1)
    b = deltaprop.Network([3, 1], output="identity", dtype=np.float32, seed=2)
    path = tmp_path / "net.dpm"
    model_file.save(a, str(path))
    model_file.save(b, os.fsencode(path))
    assert same_network(model_file.load(path), b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.dpm"]


class _Picklable(deltaprop.Network):
    """Network with the pickling methods the lead adds to network.py, to test them here."""

    __getstate__ = model_file.getstate
    __setstate__ = model_file.setstate


def test_getstate_setstate_pickle_and_copy():
    net = _Picklable([2, 5, 1], dtype=np.float32, seed=9)
    net.note = "kept"
    for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net), copy.copy(net)):
        assert type(clone) is _Picklable and same_network(clone, net)
        assert clone.seed == 9 and clone.note == "kept"
        clone.weights[0][0, 0] += 1  # its own buffer, not a view of the original's
        assert not same_network(clone, net)
    state = model_file.getstate(net)
    assert state["_impl"] == model_file.to_bytes(net)  # the same bytes format as the files


@pytest.mark.skipif("__getstate__" not in vars(deltaprop.Network),
                    reason="Network.__getstate__ not wired to model_file yet (network.py)")
def test_network_pickles_through_the_model_format():
    net = deltaprop.Network([2, 3, 1], seed=4)
    assert same_network(pickle.loads(pickle.dumps(net)), net)
    assert same_network(copy.deepcopy(net), net)


@pytest.mark.skipif(not hasattr(deltaprop.Network, "save") or not hasattr(deltaprop, "load"),
                    reason="net.save / deltaprop.load not wired to model_file yet")
def test_network_save_and_deltaprop_load(tmp_path):
    net = deltaprop.Network([2, 3, 1], seed=4)
    net.save(tmp_path / "n.dpm", extra={"scaler_min": [0.0, 1.0]})
    again, extra = deltaprop.load(tmp_path / "n.dpm", return_extra=True)
    assert same_network(again, net) and list(extra) == ["scaler_min"]
    assert deltaprop.ModelFileError is ModelFileError


def test_fuzz_corpus_replays():
    """Every seed and regression input of the fuzzer decodes or is refused cleanly; the valid-*
    files load forever: those of format version 2 re-encode to the same bytes, those written by
    version 1 (valid-v1-*) as tanh networks with the squared error, re-encoded as version 2."""
    files = sorted(CORPUS.iterdir())
    assert any(f.name.startswith("valid-v1-") for f in files)
    assert any(f.name.startswith("valid-") and not f.name.startswith("valid-v1-") for f in files)
    for f in files:
        data = f.read_bytes()
        if f.name.startswith("valid-v1-"):
            net, extra = model_file.from_bytes(data, return_extra=True)
            assert set(net.activation) <= {"tanh"} and net.loss == "squared_error", f.name
            again = model_file.to_bytes(net, extra=extra)
            assert again[8] == 2 and again[20:] != data[20:], f.name
            net2, extra2 = model_file.from_bytes(again, return_extra=True)
            assert same_network(net2, net) and list(extra2) == list(extra), f.name
        elif f.name.startswith("valid-"):
            net, extra = model_file.from_bytes(data, return_extra=True)
            assert model_file.to_bytes(net, extra=extra) == data, f.name
        else:
            with pytest.raises(ModelFileError):
                model_file.from_bytes(data)


_SAVER = textwrap.dedent("""
    import sys
    import deltaprop
    from deltaprop import model_file
    path = sys.argv[1]
    nets = [deltaprop.Network([1000, 2000, 1], seed=s) for s in (1, 2)]
    model_file.save(nets[0], path)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        model_file.save(nets[i % 2], path)
""")


@pytest.mark.slow
def test_save_killed_midway_leaves_the_previous_file(tmp_path):
    """A process saving a 2-million-weight model over and over is killed (SIGKILL) while a
    temporary file is being written: the target still loads, whole, as one of the two models."""
    path = tmp_path / "big.dpm"
    expected = [model_file.to_bytes(deltaprop.Network([1000, 2000, 1], seed=s)) for s in (1, 2)]
    killed_while_writing = False
    for attempt in range(10):
        for p in tmp_path.iterdir():
            p.unlink()
        child = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)],
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # wait until a temporary file is being written
                temps = [p for p in tmp_path.iterdir() if ".tmp-" in p.name]
                if temps:
                    break
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
        assert path.read_bytes() in expected
        model_file.load(path)  # and the reader agrees it is whole
        leftovers = [p for p in tmp_path.iterdir() if ".tmp-" in p.name]
        for temp in leftovers:
            if temp.stat().st_size < len(expected[0]):
                with pytest.raises(ModelFileError, match="truncated"):
                    model_file.load(temp)
                killed_while_writing = True
        if killed_while_writing:
            break
    assert killed_while_writing, "never managed to kill the saver in the middle of a write"
