"""Your own digit read from any picture a phone, a scanner or a drawing app produces (issue 15).

Every picture is made by the test in ``tmp_path`` from a real digit of the bundled data, so the
expected answer is known: the picture read the wrong way would give different 28x28 pixels.
Files the loader cannot use must be refused with :class:`images.DigitImageError` (a
``ValueError``) naming the file and the fix, never with a raw Pillow or ``OSError`` traceback.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from course_utils import data, images

# Each EXIF orientation (2-8) with the transpose that *stores* an upright picture that way: the
# inverse of what a viewer applies to show it (only 6 and 8 are not their own inverse).
STORED_AS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,  # the phone held upright: the sensor's picture is on its side
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}
ORIENTATION_TAG = 0x0112


@pytest.fixture(scope="module")
def seven() -> np.ndarray:
    """A real handwritten 7 (28x28, ink 255 on 0): no flip or rotation of it looks like itself."""
    digits, labels = data.load_bundled()
    return digits[np.flatnonzero(labels == 7)[0]]


def on_paper(digit: np.ndarray) -> np.ndarray:
    """The digit as a photo would show it: dark ink on white paper, 8x bigger, off-centre."""
    big = np.asarray(Image.fromarray(255 - digit).resize((224, 224), Image.Resampling.BICUBIC))
    sheet = np.full((300, 260), 255, dtype=np.uint8)
    sheet[40:264, 10:234] = big
    return sheet


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1])


def reference(seven: np.ndarray, tmp_path: Path) -> np.ndarray:
    """What the loader makes of an ordinary 8-bit greyscale PNG of the digit."""
    Image.fromarray(on_paper(seven)).save(tmp_path / "reference.png")
    return images.load_digit_image(tmp_path / "reference.png")[0]


def png(width: int, height: int) -> bytes:
    """A valid 1-bit black PNG of any size, written without ever holding its pixels in memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then the packed bits: all black
    compressor = zlib.compressobj(9)
    block = 256
    payload = b"".join(compressor.compress(row * min(block, height - start)) for start in range(0, height, block))
    payload += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", payload) + chunk(b"IEND", b"")


# --------------------------------------------------------------------------------------------
# Pictures a phone, a scanner or a drawing app produces: read the digit right
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", sorted(STORED_AS))
def test_phone_photo_is_turned_the_way_its_exif_orientation_says(seven, tmp_path: Path, orientation: int) -> None:
    upright = Image.fromarray(on_paper(seven)).convert("RGB")  # phones save colour JPEGs
    upright.save(tmp_path / "upright.jpg", quality=95)
    stored = upright.transpose(STORED_AS[orientation])
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    stored.save(tmp_path / "phone.jpg", quality=95, exif=exif)
    stored.save(tmp_path / "no_tag.jpg", quality=95)

    expected, _ = images.load_digit_image(tmp_path / "upright.jpg")
    pixels, _ = images.load_digit_image(tmp_path / "phone.jpg")
    sideways, _ = images.load_digit_image(tmp_path / "no_tag.jpg")
    assert similarity(sideways, expected) < 0.8  # the test can tell a turned digit from an upright one
    assert similarity(pixels, expected) > 0.98
    assert np.abs(pixels.astype(int) - expected).max() <= 40  # JPEG's own noise, not a turn


@pytest.mark.parametrize("mode", ["I;16", "I;16B", "I"])
def test_sixteen_bit_greyscale_is_scaled_not_clipped(seven, tmp_path: Path, mode: str) -> None:
    expected = reference(seven, tmp_path)
    sixteen_bit = on_paper(seven).astype(np.uint32) * 257  # 0-255 -> 0-65535, as a 16-bit scanner saves
    if mode == "I":  # 32-bit integer TIFF holding 16-bit values (ImageJ, microscope scanners)
        Image.fromarray(sixteen_bit.astype(np.int32)).save(tmp_path / "scan.tif")
        path = tmp_path / "scan.tif"
    else:
        array = sixteen_bit.astype(">u2" if mode == "I;16B" else "<u2")
        Image.frombuffer(mode, array.shape[::-1], array.tobytes(), "raw", mode, 0, 1).save(tmp_path / "scan.png")
        path = tmp_path / "scan.png"
    with Image.open(path) as opened:
        assert opened.mode.startswith("I")
    pixels, _ = images.load_digit_image(path)
    np.testing.assert_array_equal(pixels, expected)


@pytest.mark.parametrize("white", [1.0, 255.0, 65535.0], ids=["0-1", "0-255", "0-65535"])
def test_float_tiff_is_read_in_its_own_range(seven, tmp_path: Path, white: float) -> None:
    expected = reference(seven, tmp_path)
    floats = on_paper(seven).astype(np.float32) / 255.0 * white
    Image.fromarray(floats).save(tmp_path / "scan.tif")
    with Image.open(tmp_path / "scan.tif") as opened:
        assert opened.mode == "F"
    pixels, _ = images.load_digit_image(tmp_path / "scan.tif")
    assert np.abs(pixels.astype(int) - expected).max() <= 1  # float rounding only


def test_float_tiff_with_values_that_are_not_numbers_is_refused(tmp_path: Path) -> None:
    floats = np.ones((40, 40), dtype=np.float32)
    floats[10:30, 18:22] = 0.0
    floats[0, 0] = np.nan
    Image.fromarray(floats).save(tmp_path / "nan.tif")
    with pytest.raises(images.DigitImageError, match=r"nan\.tif cannot be used: 1 of its pixels is not a number"):
        images.load_digit_image(tmp_path / "nan.tif")


@pytest.mark.parametrize("hidden", [(0, 0, 0), (255, 255, 255)], ids=["black-hidden", "white-hidden"])
@pytest.mark.parametrize("ink", [(0, 0, 0), (255, 255, 255), (30, 60, 200)], ids=["black", "white", "blue"])
def test_ink_on_a_transparent_sheet_is_read_whatever_its_colour(
    seven, tmp_path: Path, ink: tuple[int, int, int], hidden: tuple[int, int, int]
) -> None:
    # A drawing app: the colour of every pixel is the pen's (or whatever the app keeps under
    # fully transparent pixels); the digit is only in the alpha channel.
    expected = reference(seven, tmp_path)
    alpha = 255 - on_paper(seven)
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., :3] = np.where(alpha[..., np.newaxis] > 0, ink, hidden)
    rgba[..., 3] = alpha
    Image.fromarray(rgba, "RGBA").save(tmp_path / "drawing.png")
    pixels, _ = images.load_digit_image(tmp_path / "drawing.png")
    assert similarity(pixels, expected) > 0.99


def test_a_screenshot_with_transparent_margins_keeps_its_own_paper(seven, tmp_path: Path) -> None:
    # A window screenshot (macOS) or a sticker: an opaque picture with its own white paper, in a
    # transparent margin. The margin must become that paper, not a black frame around it.
    expected = reference(seven, tmp_path)
    paper = on_paper(seven)
    rgba = np.zeros((paper.shape[0] + 60, paper.shape[1] + 60, 4), dtype=np.uint8)
    rgba[30:-30, 30:-30, :3] = paper[..., np.newaxis]
    rgba[30:-30, 30:-30, 3] = 255
    rgba[20:30, 20:-20, 3] = 20  # a faint shadow along the top (a darker one would count as ink)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "screenshot.png")
    pixels, _ = images.load_digit_image(tmp_path / "screenshot.png")
    assert similarity(pixels, expected) > 0.99


@pytest.mark.parametrize("ink", [0, 255], ids=["black", "white"])
def test_greyscale_with_alpha_and_palette_transparency_are_read(seven, tmp_path: Path, ink: int) -> None:
    expected = reference(seven, tmp_path)
    alpha = 255 - on_paper(seven)
    Image.fromarray(np.stack([np.full_like(alpha, ink), alpha], axis=-1), "LA").save(tmp_path / "la.png")
    pixels, _ = images.load_digit_image(tmp_path / "la.png")
    assert similarity(pixels, expected) > 0.99

    # A palette PNG (GIF-style): colour 0 is the transparent sheet, colour 1 the pen.
    indices = (alpha > 127).astype(np.uint8)
    palette = Image.fromarray(indices, "P")
    palette.putpalette([0, 0, 0, ink, ink, ink])
    palette.save(tmp_path / "palette.png", transparency=0)
    pixels, _ = images.load_digit_image(tmp_path / "palette.png")
    assert similarity(pixels, expected) > 0.95  # two colours only: jagged edges


def test_a_picture_of_eight_by_eight_pixels_is_the_smallest_accepted(seven, tmp_path: Path) -> None:
    Image.fromarray(255 - seven).resize((8, 8), Image.Resampling.BOX).save(tmp_path / "tiny.png")
    pixels, _ = images.load_digit_image(tmp_path / "tiny.png")
    assert pixels.max() == 255
    for size in ((1, 1), (7, 40), (40, 7)):
        Image.new("L", size, 255).save(tmp_path / "too_small.png")
        with pytest.raises(images.DigitImageError, match=r"too_small\.png is too small: .*at least 8×8") as caught:
            images.load_digit_image(tmp_path / "too_small.png")
        assert f"{size[0]}×{size[1]}" in str(caught.value)
    with pytest.raises(images.DigitImageError, match=r"too small.*at least 8×8"):
        images.mnist_style(np.zeros((1, 1), dtype=np.uint8))


def test_a_jpeg_above_the_size_limit_is_decoded_at_reduced_size(seven, tmp_path: Path, monkeypatch) -> None:
    # JPEG can decode at 1/2, 1/4, 1/8 size directly: a 108 MP phone photo costs 27 MP of memory.
    # The limit is lowered so a small file stands for a huge one.
    Image.fromarray(on_paper(seven)).save(tmp_path / "photo.jpg", quality=95)
    expected, _ = images.load_digit_image(tmp_path / "photo.jpg")
    monkeypatch.setattr(images, "MAX_PIXELS", 300 * 260 // 4)
    decoded_sizes = []
    real_load = ImageFile.ImageFile.load

    def spy(image):
        decoded_sizes.append(image.size)
        return real_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    pixels, _ = images.load_digit_image(tmp_path / "photo.jpg")
    assert decoded_sizes and max(w * h for w, h in decoded_sizes) <= images.MAX_PIXELS
    assert similarity(pixels, expected) > 0.97


# --------------------------------------------------------------------------------------------
# Files it cannot use: refused with DigitImageError naming the file and the fix
# --------------------------------------------------------------------------------------------


def test_a_huge_picture_is_refused_from_its_header_before_any_pixel_is_decoded(tmp_path: Path, monkeypatch) -> None:
    def must_not_decode(image):
        raise AssertionError(f"decoded the pixels of a {image.size} picture")

    monkeypatch.setattr(ImageFile.ImageFile, "load", must_not_decode)
    # 15000x15000 = 225 MP: above Pillow's own bomb limit (179 MP), which refuses it in open().
    (tmp_path / "poster.png").write_bytes(png(15000, 15000))
    assert (tmp_path / "poster.png").stat().st_size < 100_000
    with pytest.raises(images.DigitImageError, match=r"poster\.png is 225 megapixels.*at most 50 megapixels"):
        images.load_digit_image(tmp_path / "poster.png")
    # 9000x6000 = 54 MP: Pillow would decode it; the loader refuses it from the header.
    (tmp_path / "scan.png").write_bytes(png(9000, 6000))
    with pytest.raises(images.DigitImageError, match=r"scan\.png is 9000×6000 pixels \(54 megapixels\)") as caught:
        images.load_digit_image(tmp_path / "scan.png")
    assert "Crop" in str(caught.value)


@pytest.mark.parametrize("kind", ["png", "jpg"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_a_picture_cut_short_is_refused_as_damaged(seven, tmp_path: Path, kind: str, keep: float) -> None:
    whole = io.BytesIO()
    Image.fromarray(on_paper(seven)).save(whole, "PNG" if kind == "png" else "JPEG")
    cut = whole.getvalue()[: max(40, int(len(whole.getvalue()) * keep))]
    (tmp_path / f"cut.{kind}").write_bytes(cut)
    with pytest.raises(images.DigitImageError, match=rf"cut\.{kind} is cut short or damaged.*again"):
        images.load_digit_image(tmp_path / f"cut.{kind}")


def test_files_that_are_no_picture_say_what_they_are(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(images.DigitImageError, match=r"empty\.png is empty \(0 bytes\)"):
        images.load_digit_image(tmp_path / "empty.png")
    (tmp_path / "photos").mkdir()
    with pytest.raises(images.DigitImageError, match=r"photos is a folder, not a picture"):
        images.load_digit_image(tmp_path / "photos")
    with pytest.raises(images.DigitImageError, match=r"empty path"):
        images.load_digit_image("")
    # The lesson shows this message (notebook 12's output is checked): it stays word for word.
    (tmp_path / "notes.png").write_text("a shopping list, not a picture")
    with pytest.raises(images.DigitImageError, match=r"notes\.png is not an image Pillow can read \(PNG, JPEG"):
        images.load_digit_image(tmp_path / "notes.png")
    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")
    (tmp_path / "moved.png").symlink_to(tmp_path / "gone" / "digit.png")
    for link in ("loop.png", "moved.png"):
        with pytest.raises(FileNotFoundError, match=rf"{link}: it is a symbolic link to .*does not exist"):
            images.load_digit_image(tmp_path / link)
    for wrong in (None, 42):
        with pytest.raises(TypeError, match=r"path of a picture.*got " + type(wrong).__name__):
            images.load_digit_image(wrong)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")  # opening it for reading would wait for a writer for ever
    with pytest.raises(images.DigitImageError, match=r"pipe\.png is not a regular file"):
        images.load_digit_image(tmp_path / "pipe.png")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_picture_names_the_permission(seven, tmp_path: Path) -> None:
    Image.fromarray(on_paper(seven)).save(tmp_path / "locked.png")
    (tmp_path / "locked.png").chmod(0)
    with pytest.raises(images.DigitImageError, match=r"locked\.png cannot be read: permission denied"):
        images.load_digit_image(tmp_path / "locked.png")


# --------------------------------------------------------------------------------------------
# Already read right before issue 15; kept right by the new code paths (alpha, modes, frames)
# --------------------------------------------------------------------------------------------


def test_other_formats_a_user_may_have_are_read(seven, tmp_path: Path) -> None:
    expected = reference(seven, tmp_path)
    paper = Image.fromarray(on_paper(seven))
    blank = Image.new("L", paper.size, 255)
    # Print shops and Photoshop save CMYK JPEGs; colour photos are RGB; a fax or a scan is 1-bit.
    paper.convert("CMYK").save(tmp_path / "print.jpg", quality=95)
    paper.convert("RGB").save(tmp_path / "photo.png")
    paper.point(lambda level: 255 if level > 127 else 0).convert("1").save(tmp_path / "fax.tif")
    # Several frames (an animated GIF, a multi-page scan): the first frame is the picture.
    paper.convert("P").save(tmp_path / "animated.gif", save_all=True, append_images=[blank.convert("P")], duration=100)
    paper.save(tmp_path / "pages.tif", save_all=True, append_images=[blank])
    for name, least in (
        ("print.jpg", 0.98),
        ("photo.png", 0.999),
        ("fax.tif", 0.95),
        ("animated.gif", 0.99),
        ("pages.tif", 0.999),
    ):
        pixels, _ = images.load_digit_image(tmp_path / name)
        assert similarity(pixels, expected) > least, name


def test_an_ordinary_picture_is_read_exactly_as_before(seven, tmp_path: Path) -> None:
    # The fixes above must not change what a plain 8-bit picture becomes (the lessons' results).
    paper = on_paper(seven)
    Image.fromarray(paper).save(tmp_path / "plain.png")
    np.testing.assert_array_equal(images.read_grey(tmp_path / "plain.png"), paper)
    pixels, batch = images.load_digit_image(tmp_path / "plain.png")
    np.testing.assert_array_equal(pixels, images.mnist_style(paper))
    np.testing.assert_allclose(batch[0, :, :, 0], pixels / 255.0, atol=1e-6)
