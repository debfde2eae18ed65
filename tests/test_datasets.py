"""Readers of the course's digits files, where load_digits finds the data, and the experiment's
two transformations (one digit versus the rest, min-max scaling to [-1, 1])."""

import gzip
import hashlib
import shutil
import sys

import numpy as np
import pytest

from deltaprop import shipped_data
from deltaprop.datasets import (SKLEARN_8X8, DataFormatError, MinMaxScaler, load_digit_images,
                                load_digits, one_hot, one_versus_all, read_features, read_zip,
                                user_data_dir)
from deltaprop.features import digit_features

from conftest import require_module, require_shared_data

# class counts of digits 0-9, from the ESL zip.info table
USPS_COUNTS = {"train": [1194, 1005, 731, 658, 652, 556, 664, 645, 542, 644],
               "test": [359, 264, 198, 166, 200, 160, 170, 147, 166, 177]}


def zip_line(label, values):
    """A line as the USPS files print it: "%.4f " per field."""
    return "".join(f"{v:.4f} " for v in [label, *values]) + "\n"


def small_zip(rows=4, k=16, seed=0):
    """Text of a small, valid zip.* file, with its labels and images."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, rows)
    images = np.round(rng.uniform(-1, 1, (rows, k * k)), 3)
    return "".join(zip_line(l, x) for l, x in zip(labels, images)), labels, images


def features_text(labels, features):
    return "".join("%16.7e%16.7e%16.7e\n" % (l, a, s) for l, (a, s) in zip(labels, features))


def write_pair(folder, kind="features", rows=(6, 3), seed=0):
    """A train and a test file of the given kind in ``folder``; returns their (labels, images)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for split, n in zip(("train", "test"), rows):
        text, labels, images = small_zip(n, seed=seed + n)
        if kind == "features":
            text = features_text(labels, digit_features(images))
        (folder / f"{kind}.{split}").write_text(text)
        made[split] = (labels, images)
    return made


@pytest.fixture
def no_data(monkeypatch, tmp_path):
    """No $DELTAPROP_DATA and an empty user data folder."""
    monkeypatch.delenv("DELTAPROP_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path


# --- the real files -------------------------------------------------------------------------


@pytest.mark.parametrize("split", ["train", "test"])
def test_reads_the_usps_files(split):
    data = require_shared_data(f"zip.{split}", f"features.{split}")
    images, labels = read_zip(data / f"zip.{split}")
    features, feature_labels = read_features(data / f"features.{split}")
    n = sum(USPS_COUNTS[split])
    assert images.shape == (n, 256) and images.dtype == np.float64
    assert features.shape == (n, 2) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), USPS_COUNTS[split])
    np.testing.assert_array_equal(labels, feature_labels)
    assert images.min() == -1 and images.max() == 1
    # the first row as printed in the README
    first = {"train": (6, 0.34109180, -4.5289375), "test": (9, 0.27217773, -4.8479375)}[split]
    assert (labels[0], *features[0]) == pytest.approx(first, abs=1e-8)


def test_gzipped_file_reads_the_same(tmp_path):
    data = require_shared_data("zip.test")
    packed = tmp_path / "zip.test.gz"
    packed.write_bytes(gzip.compress((data / "zip.test").read_bytes(), compresslevel=1))
    plain = read_zip(data / "zip.test")
    for got, want in zip(read_zip(packed), plain):
        np.testing.assert_array_equal(got, want)
    # told by the magic bytes, not the name
    renamed = tmp_path / "zip.test"
    shutil.copy(packed, renamed)
    np.testing.assert_array_equal(read_zip(renamed)[0], plain[0])


def test_small_files_round_trip(tmp_path):
    text, labels, images = small_zip(5)
    (tmp_path / "z").write_text(text)
    (tmp_path / "z.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "f").write_text(features_text(labels, digit_features(images)))
    for name in ("z", "z.gz"):
        got_images, got_labels = read_zip(tmp_path / name)
        np.testing.assert_array_equal(got_images, images)
        np.testing.assert_array_equal(got_labels, labels)
    features, got_labels = read_features(tmp_path / "f")
    np.testing.assert_allclose(features, digit_features(images), atol=1e-7)
    # any square size; a missing final newline and Windows line ends are fine
    text8, labels8, images8 = small_zip(3, k=8)
    (tmp_path / "z8").write_text(text8.rstrip("\n").replace("\n", "\r\n"))
    np.testing.assert_array_equal(read_zip(tmp_path / "z8")[0], images8)


# --- bad files: each kind names the file and the line ----------------------------------------

GOOD_ZIP = zip_line(3, [0.5] * 256)
GOOD_FEATURES = "%16.7e%16.7e%16.7e\n" % (3, 0.25, -2.5)


def replace_field(line, column, value):
    fields = line.split()
    fields[column] = value
    return " ".join(fields) + "\n"


BAD_ZIP = {
    "short line": (GOOD_ZIP * 2 + GOOD_ZIP.rsplit(" ", 2)[0] + "\n", 3, "expected 257 columns, found 256"),
    "long line": (GOOD_ZIP + GOOD_ZIP.rstrip() + " 0.5\n", 2, "expected 257 columns, found 258"),
    "not a number": (GOOD_ZIP + replace_field(GOOD_ZIP, 17, "0.5x"), 2, "column 18: '0.5x' is not a number"),
    "label 10": (GOOD_ZIP * 3 + replace_field(GOOD_ZIP, 0, "10"), 4, "label 10.0 is not a digit 0-9"),
    "label -1": (replace_field(GOOD_ZIP, 0, "-1"), 1, "label -1.0 is not a digit"),
    "label 2.5": (GOOD_ZIP + replace_field(GOOD_ZIP, 0, "2.5"), 2, "label 2.5 is not a digit"),
    "value above 1": (GOOD_ZIP * 4 + replace_field(GOOD_ZIP, 200, "1.0001"), 5, "grey value 1.0001 is outside [-1, 1]"),
    "value below -1": (replace_field(GOOD_ZIP, 1, "-2"), 1, "grey value -2.0 is outside [-1, 1]"),
    "nan": (GOOD_ZIP + replace_field(GOOD_ZIP, 9, "nan"), 2, "grey value nan is outside"),
    "empty line": (GOOD_ZIP + "\n" + GOOD_ZIP, 2, "empty line"),
    "blank line at the end": (GOOD_ZIP * 2 + "  \n", 3, "empty line"),
    "empty file": ("", 1, "the file is empty"),
    "features file": (GOOD_FEATURES, 1, "found 3 columns"),
    "not square": (zip_line(1, [0.0] * 255) * 2, 1, "found 256 columns"),
    "not ASCII": (GOOD_ZIP + "3 0.5 é\n", 2, "not ASCII"),
}

BAD_FEATURES = {
    "short line": (GOOD_FEATURES + "1 0.2\n", 2, "expected 3 columns, found 2"),
    "zip file": (GOOD_ZIP, 1, "expected 3 columns, found 257"),
    "not a number": (GOOD_FEATURES * 2 + "1 0.2 -1.5e\n", 3, "column 3: '-1.5e' is not a number"),
    "label outside 0-9": (GOOD_FEATURES + "11 0.2 -1\n", 2, "label 11.0 is not a digit 0-9"),
    "intensity above 1": ("1 1.5 -1\n", 1, "intensity 1.5 is outside [0, 1]"),
    "positive symmetry": (GOOD_FEATURES + "1 0.5 0.25\n", 2, "symmetry 0.25 is outside [-16, 0]"),
    "empty file": ("", 1, "the file is empty"),
    "comment": ("# digit intensity symmetry\n" + GOOD_FEATURES, 1, "expected 3 columns, found 4"),
}


def check_rejected(reader, path, line, reason):
    with pytest.raises(DataFormatError) as info:
        reader(path)
    error = info.value
    assert str(error) == f"{path}, line {line}: {error.reason}"
    assert reason in error.reason
    assert (error.path, error.line) == (str(path), line)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("kind", BAD_ZIP)
def test_zip_reader_rejects(tmp_path, kind):
    text, line, reason = BAD_ZIP[kind]
    path = tmp_path / "zip.train"
    path.write_bytes(text.encode("utf-8"))
    check_rejected(read_zip, path, line, reason)
    # the same file gzipped: the same error, same line
    packed = tmp_path / "zip.train.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    check_rejected(read_zip, packed, line, reason)


@pytest.mark.parametrize("kind", BAD_FEATURES)
def test_features_reader_rejects(tmp_path, kind):
    text, line, reason = BAD_FEATURES[kind]
    path = tmp_path / "features.test"
    path.write_text(text)
    check_rejected(read_features, path, line, reason)


def test_truncated_gzip_is_rejected(tmp_path):
    packed = gzip.compress(GOOD_ZIP.encode() * 50)
    path = tmp_path / "zip.test.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DataFormatError, match="not a readable gzip file") as info:
        read_zip(path)
    assert str(path) in str(info.value)


def test_a_bad_file_is_an_error_through_load_digits_too(tmp_path):
    (tmp_path / "features.train").write_text(GOOD_FEATURES + "1 0.2\n")
    with pytest.raises(DataFormatError, match="features.train, line 2"):
        load_digits(tmp_path, "train")


# --- where load_digits finds the data -------------------------------------------------------


def test_a_folder_prefers_the_courses_features(tmp_path):
    made = write_pair(tmp_path, "zip")
    course = write_pair(tmp_path, "features", seed=100)  # other digits, so the source shows
    for split in ("train", "test"):
        d = load_digits(tmp_path, split)
        assert d.source == str(tmp_path / f"features.{split}") and d.split == split
        assert d.images is None
        np.testing.assert_array_equal(d.labels, course[split][0])
    (tmp_path / "features.train").unlink()
    d = load_digits(tmp_path, "train")  # only the images: features computed from them
    labels, images = made["train"]
    assert d.source == str(tmp_path / "zip.train")
    np.testing.assert_array_equal(d.labels, labels)
    np.testing.assert_array_equal(d.images, images)
    np.testing.assert_array_equal(d.features, digit_features(images))


def test_a_folder_with_gzipped_images(tmp_path):
    made = write_pair(tmp_path, "zip")
    for split in ("train", "test"):
        plain = tmp_path / f"zip.{split}"
        (tmp_path / f"zip.{split}.gz").write_bytes(gzip.compress(plain.read_bytes()))
        plain.unlink()
        d = load_digits(tmp_path, split)
        assert d.source.endswith(f"zip.{split}.gz")
        np.testing.assert_array_equal(d.images, made[split][1])


def test_a_file_serves_both_splits_through_its_sibling(tmp_path):
    made = write_pair(tmp_path, "zip", rows=(6, 3))
    for given in ("zip.train", "zip.test"):
        assert len(load_digits(tmp_path / given, "train")) == 6
        assert len(load_digits(tmp_path / given, "test")) == 3
    (tmp_path / "zip.test").unlink()
    with pytest.raises(FileNotFoundError, match="zip.test, which does not exist"):
        load_digits(tmp_path / "zip.train", "test")
    # a name that names no split: the file is read for either
    shutil.copy(tmp_path / "zip.train", tmp_path / "digits.txt")
    d = load_digits(tmp_path / "digits.txt", "test")
    np.testing.assert_array_equal(d.labels, made["train"][0])


def test_missing_paths_are_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        load_digits(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="no test data in .*looked for features.test"):
        load_digits(tmp_path, "test")
    with pytest.raises(ValueError, match="split must be"):
        load_digits(tmp_path, "validation")


def test_environment_variable_comes_first(no_data, monkeypatch, capsys):
    env_folder, user_folder = no_data / "env", no_data / "xdg" / "deltaprop"
    write_pair(env_folder, "features", rows=(5, 2))
    write_pair(user_folder, "features", rows=(7, 4))
    monkeypatch.setenv("DELTAPROP_DATA", str(env_folder))
    d = load_digits(split="train")
    assert len(d) == 5 and d.source == str(env_folder / "features.train")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "$DELTAPROP_DATA" in err and str(env_folder) in err
    # set but holding nothing: an error, not a quiet fall back to other data
    monkeypatch.setenv("DELTAPROP_DATA", str(no_data / "empty"))
    with pytest.raises(FileNotFoundError):
        load_digits(split="train")


def test_user_data_folder_comes_next(no_data, capsys):
    user_folder = no_data / "xdg" / "deltaprop"
    assert user_data_dir() == user_folder
    write_pair(user_folder, "zip", rows=(7, 4))
    d = load_digits(split="test")
    assert len(d) == 4 and d.source == str(user_folder / "zip.test")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "user data folder" in err
    # quiet when asked
    load_digits(split="test", notice=False)
    assert capsys.readouterr().err == ""


def test_user_data_folder_default_and_relative_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert user_data_dir() == tmp_path / ".local" / "share" / "deltaprop"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # the XDG spec says to ignore it
    assert user_data_dir() == tmp_path / ".local" / "share" / "deltaprop"


def test_the_shipped_files_are_the_default(no_data, capsys, shared_data):
    # a user folder with only one split does not count: train and test must come from one source
    write_pair(no_data / "xdg" / "deltaprop", "features")
    (no_data / "xdg" / "deltaprop" / "features.test").unlink()
    train, test = load_digits(split="train"), load_digits(split="test")
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("USPS features (shipped)" in line and "checksum verified" in line
                                 for line in err)
    for d, split in ((train, "train"), (test, "test")):
        assert d.source == "USPS features (shipped)" and d.split == split and d.images is None
        features, labels = read_features(shared_data / f"features.{split}")
        np.testing.assert_array_equal(d.features, features)
        np.testing.assert_array_equal(d.labels, labels)


def test_the_shipped_files_are_the_course_files_byte_for_byte(shared_data):
    for name, sha256 in shipped_data.SHA256.items():
        path = shipped_data.shipped_file(name)
        assert path.name == name + ".gz" and path.read_bytes()[:2] == b"\x1f\x8b"
        content = gzip.decompress(path.read_bytes())
        assert content == (shared_data / name).read_bytes(), name
        assert hashlib.sha256(content).hexdigest() == sha256


@pytest.mark.parametrize("damage, message", [
    ("another content", r"checksum mismatch \(sha256 of the content [0-9a-f]{64}, expected 253bcfa3"),
    ("truncated gzip", "not a readable gzip file"),
    ("missing", "is missing"),
])
def test_a_damaged_shipped_file_is_a_clear_error(no_data, monkeypatch, damage, message):
    folder = no_data / "installed"
    shutil.copytree(shipped_data.FOLDER, folder)
    monkeypatch.setattr(shipped_data, "FOLDER", folder)
    target = folder / "features.train.gz"
    if damage == "another content":  # valid gzip, valid format, one digit changed
        text = gzip.decompress(target.read_bytes()).replace(b"6.0000000e+00", b"5.0000000e+00", 1)
        target.write_bytes(gzip.compress(text))
    elif damage == "truncated gzip":
        target.write_bytes(target.read_bytes()[:1000])
    else:
        target.unlink()
    with pytest.raises((DataFormatError, FileNotFoundError), match=message) as info:
        load_digits(split="train")
    assert str(target) in str(info.value) and "reinstall deltaprop" in str(info.value)
    load_digits(split="test")  # the undamaged split still loads


def test_shipped_file_names_the_choices():
    with pytest.raises(ValueError, match="no shipped file 'zip.valid'; the shipped files are "
                                         "features.train, features.test, zip.train, zip.test"):
        shipped_data.shipped_file("zip.valid")


def test_sklearn_digits_only_by_name(no_data, monkeypatch, capsys):
    require_module("sklearn")
    train, test = load_digits(SKLEARN_8X8, split="train"), load_digits("sklearn-8x8", split="test")
    assert capsys.readouterr().err == ""  # a named choice: no notice
    assert (len(train), len(test)) == (1198, 599)
    for d in (train, test):
        assert d.source.startswith("scikit-learn's 8x8 digits")
        assert d.images.shape == (len(d), 64)
        assert d.images.min() == -1 and d.images.max() == 1
        np.testing.assert_array_equal(d.features, digit_features(d.images))
        assert set(np.unique(d.labels)) == set(range(10))
    from sklearn.datasets import load_digits as sklearn_digits
    bunch = sklearn_digits()
    np.testing.assert_array_equal(np.concatenate([train.labels, test.labels]), bunch.target)
    np.testing.assert_array_equal(train.images[5], bunch.data[5] / 8 - 1)
    # through $DELTAPROP_DATA as well
    monkeypatch.setenv("DELTAPROP_DATA", SKLEARN_8X8)
    assert len(load_digits(split="test")) == 599
    # a folder of that name is reached by a path that is not the bare name
    write_pair(no_data / SKLEARN_8X8, "features", rows=(5, 2))
    monkeypatch.chdir(no_data)
    assert len(load_digits(f"./{SKLEARN_8X8}", split="train")) == 5


def test_without_sklearn_the_error_says_what_to_do(no_data, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'deltaprop\[sklearn\]' \(or use the USPS "
                                          r"data shipped with deltaprop"):
        load_digits(SKLEARN_8X8)
    assert len(load_digits()) == 7291  # the default needs no scikit-learn


# --- the experiment's transformations -------------------------------------------------------


def test_one_versus_all():
    np.testing.assert_array_equal(one_versus_all([1, 0, 7, 1, 9]), [1, -1, -1, 1, -1])
    np.testing.assert_array_equal(one_versus_all(np.array([1, 5, 5]), digit=5), [-1, 1, 1])
    for bad in (10, -1, 1.5, True):
        with pytest.raises(ValueError, match="digit must be"):
            one_versus_all([1, 2], digit=bad)
    with pytest.raises(ValueError, match="one-dimensional"):
        one_versus_all(np.ones((2, 2)))


# --- the images, for the ten-digit experiment ------------------------------------------------


def test_the_shipped_images_are_the_default_for_the_pixels(no_data, capsys, shared_data):
    for split in ("train", "test"):
        d = load_digit_images(split=split)
        images, labels = read_zip(shared_data / f"zip.{split}")
        assert d.source == "USPS images (shipped)" and d.split == split
        np.testing.assert_array_equal(d.images, images)
        np.testing.assert_array_equal(d.labels, labels)
        np.testing.assert_array_equal(d.features, digit_features(images))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("USPS images (shipped) (zip." in line and "checksum verified" in line
                                 for line in err)


def test_the_pixels_come_from_zip_files_where_the_features_come_from_features_files(
        no_data, capsys, monkeypatch):
    made = write_pair(no_data / "both", "zip", rows=(6, 3))
    write_pair(no_data / "both", "features", rows=(5, 2), seed=7)
    assert len(load_digits(no_data / "both")) == 5  # the course's features first
    d = load_digit_images(no_data / "both", "test")
    assert d.source == str(no_data / "both" / "zip.test")
    np.testing.assert_array_equal(d.images, np.round(made["test"][1], 4))
    # the user data folder counts when it has the images of both splits, whatever else it holds
    user = no_data / "xdg" / "deltaprop"
    write_pair(user, "features", rows=(4, 4))
    assert load_digit_images(split="train", notice=False).source == "USPS images (shipped)"
    write_pair(user, "zip", rows=(8, 2))
    assert len(load_digit_images(split="train")) == 8
    assert "user data folder" in capsys.readouterr().err
    monkeypatch.setenv("DELTAPROP_DATA", str(no_data / "both"))  # and $DELTAPROP_DATA first
    assert len(load_digit_images(split="train", notice=False)) == 6


def test_features_without_images_are_refused_for_the_pixels(tmp_path):
    write_pair(tmp_path, "features", rows=(5, 2))
    with pytest.raises(FileNotFoundError, match=r"no train data in .*looked for zip\.train, zip\.train\.gz"):
        load_digit_images(tmp_path)
    with pytest.raises(DataFormatError, match="holds features, not images"):
        load_digit_images(tmp_path / "features.train")
    with pytest.raises(ValueError, match="split must be"):
        load_digit_images(tmp_path, "validation")


def test_sklearn_images_by_name(no_data):
    require_module("sklearn")
    d = load_digit_images(SKLEARN_8X8, "test")
    assert d.images.shape == (599, 64) and d.images.min() == -1 and d.images.max() == 1


def test_one_hot_targets():
    np.testing.assert_array_equal(one_hot([2, 0, 1], classes=3),
                                  [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    T = one_hot(np.array([9, 0]), off=-1.0)
    assert T.shape == (2, 10) and T.dtype == np.float64
    np.testing.assert_array_equal(T[0], [-1] * 9 + [1])
    np.testing.assert_array_equal(T.sum(axis=1), [-8, -8])
    assert one_hot(np.array([], dtype=np.int64)).shape == (0, 10)
    for labels, message in [([10], "integers 0-9"), ([-1], "integers 0-9"), ([1.5], "integers 0-9"),
                            ([[1]], "one-dimensional")]:
        with pytest.raises(ValueError, match=message):
            one_hot(labels)
    with pytest.raises(ValueError, match="classes"):
        one_hot([0], classes=1)


def test_minmax_scaler_fits_train_and_reuses_it_on_test():
    rng = np.random.default_rng(0)
    train = np.column_stack([rng.uniform(0.05, 0.65, 50), rng.uniform(-7.7, -0.1, 50)])
    scaler = MinMaxScaler().fit(train)
    np.testing.assert_array_equal(scaler.min_, train.min(axis=0))
    np.testing.assert_array_equal(scaler.max_, train.max(axis=0))
    Z = scaler.transform(train)
    np.testing.assert_allclose(Z.min(axis=0), -1, atol=1e-15)
    np.testing.assert_allclose(Z.max(axis=0), 1, atol=1e-15)
    # test data: the training map, not its own min and max
    test = np.array([[0.35, -3.9], [0.75, -8.0]])
    want = 2 * (test - train.min(axis=0)) / (train.max(axis=0) - train.min(axis=0)) - 1
    np.testing.assert_allclose(scaler.transform(test), want, rtol=1e-14, atol=1e-14)
    assert scaler.transform(test)[1, 0] > 1  # outside [-1, 1] is allowed for test points
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(test)), test, rtol=1e-14)
    np.testing.assert_array_equal(MinMaxScaler().fit_transform(train), Z)


def test_minmax_scaler_constant_column(recwarn):
    X = np.array([[1.0, 3.0], [2.0, 3.0], [3.0, 3.0]])
    Z = MinMaxScaler().fit_transform(X)
    np.testing.assert_array_equal(Z, [[-1, 0], [0, 0], [1, 0]])
    assert np.isfinite(MinMaxScaler().fit(X).transform([[0.0, 4.0]])).all()
    assert len(recwarn) == 0  # no division-by-zero warning


def test_minmax_scaler_rejects_bad_input():
    with pytest.raises(RuntimeError, match="not fitted"):
        MinMaxScaler().transform([[1.0, 2.0]])
    scaler = MinMaxScaler().fit([[0.0, 1.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="3 columns; the scaling was fit on 2"):
        scaler.transform([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="two-dimensional"):
        scaler.transform([1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        MinMaxScaler().fit([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="zero rows"):
        MinMaxScaler().fit(np.empty((0, 2)))
