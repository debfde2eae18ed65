"""Average intensity and symmetry: the course's definitions, checked on images whose features
are known by hand, against the course's own features.* files, and on bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from deltaprop.datasets import read_features, read_zip
from deltaprop.features import digit_features, intensity, symmetry

from conftest import require_shared_data


def course_symmetry_16x16(images):
    """The course's formula as written, one image at a time: -(Σ|I - fliplr I| + Σ|I - flipud I|)/64."""
    out = []
    for x in images:
        I = x.reshape(16, 16)
        out.append(-(np.abs(I - np.fliplr(I)).sum() + np.abs(I - np.flipud(I)).sum()) / 64)
    return np.array(out)


def test_blank_and_full_images():
    blank, full = -np.ones((1, 256)), np.ones((1, 256))
    np.testing.assert_array_equal(digit_features(np.vstack([blank, full])), [[0.0, 0.0], [1.0, 0.0]])


def test_half_image_has_the_largest_left_right_asymmetry():
    # left half ink, right half background: every pixel differs from its mirror image by 2
    I = -np.ones((16, 16))
    I[:, :8] = 1
    assert intensity(I[None])[0] == 0.5
    assert symmetry(I[None])[0] == -4 * 2  # -4 · mean|I - fliplr I|, and up-down symmetric
    assert symmetry(I.T[None])[0] == -8  # the same image turned: now up-down asymmetric
    # a checkerboard is asymmetric both ways: the minimum -16
    checker = np.where(np.add.outer(np.arange(16), np.arange(16)) % 2, 1.0, -1.0)
    assert symmetry(checker[None])[0] == -16


def test_one_ink_pixel():
    I = -np.ones((16, 16))
    I[3, 5] = 1
    assert intensity(I[None])[0] == pytest.approx(1 / 256)
    # the pixel and its two mirror pixels each differ by 2, each counted from both sides: 4 · 2 / 64
    assert symmetry(I[None])[0] == -8 / 64


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (3, 256), elements=st.floats(-1, 1)))
def test_matches_the_courses_formula_and_ignores_orientation(x):
    I = x.reshape(3, 16, 16)
    s = symmetry(x)
    np.testing.assert_allclose(s, course_symmetry_16x16(x), rtol=1e-12, atol=1e-12)
    for turned in (I[:, :, ::-1], I[:, ::-1, :], I.transpose(0, 2, 1)):
        np.testing.assert_allclose(symmetry(turned), s, rtol=1e-12, atol=1e-12)
    # two orders of summing 256 terms in [0, 1]: each can be off by up to 256·2⁻⁵³ ≈ 3e-14
    np.testing.assert_allclose(intensity(x), ((x + 1) / 2).mean(axis=1), rtol=1e-12, atol=6e-14)
    assert np.all((s <= 0) & (s >= -16))


def test_row_and_image_shapes_agree_for_any_square_size():
    rng = np.random.default_rng(0)
    for k in (1, 2, 5, 8, 16):
        images = rng.uniform(-1, 1, size=(4, k, k))
        np.testing.assert_array_equal(digit_features(images), digit_features(images.reshape(4, k * k)))
    assert digit_features(np.empty((0, 64))).shape == (0, 2)


def test_scaled_the_same_for_8x8():
    # a 16x16 image made of 2x2 blocks of an 8x8 image has the same features
    rng = np.random.default_rng(1)
    small = rng.uniform(-1, 1, size=(5, 8, 8))
    big = small.repeat(2, axis=1).repeat(2, axis=2)
    np.testing.assert_allclose(digit_features(big), digit_features(small), rtol=1e-12)


@pytest.mark.parametrize("images, message", [
    (np.zeros((2, 255)), "not square"),
    (np.zeros((2, 4, 5)), "not square"),
    (np.zeros((2, 0)), "not square"),
    (np.zeros(256), "expected shape"),
    (np.zeros((1, 2, 16, 16)), "expected shape"),
    (np.where(np.arange(512).reshape(2, 256) == 300, np.nan, 0.0), "image 1 contains NaN"),
    (np.full((1, 256), 1.5), "in \\[-1, 1\\]; image 0 has 1.5 at pixel \\(0, 0\\)"),
    (np.full((1, 4, 4), -np.inf), "in \\[-1, 1\\]"),
    ([["a"] * 4], "could not convert"),
])
def test_rejects_bad_images(images, message):
    for f in (intensity, symmetry, digit_features):
        with pytest.raises(ValueError, match=message):
            f(images)


@pytest.mark.parametrize("split", ["train", "test"])
def test_zip_reproduces_the_courses_features(split):
    data = require_shared_data(f"zip.{split}", f"features.{split}")
    images, labels = read_zip(data / f"zip.{split}")
    features, feature_labels = read_features(data / f"features.{split}")
    np.testing.assert_array_equal(labels, feature_labels)
    computed = digit_features(images)
    np.testing.assert_allclose(computed, features, rtol=0, atol=1e-8)
    # and digit for digit as the course printed them
    printed = "".join("%16.7e%16.7e%16.7e\n" % (d, a, s) for d, (a, s) in zip(labels, computed))
    assert printed == (data / f"features.{split}").read_text()
