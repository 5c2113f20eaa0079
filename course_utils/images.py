"""Your own digit, prepared the way MNIST prepared its digits, so a trained model can read it.

MNIST digits are white ink on black, 28x28 pixels, the digit scaled to fit a 20x20 box
(keeping its proportions) and placed so that its *centre of mass* sits in the middle of the
28x28 field. A photo or a drawing is usually dark ink on light paper, any size, anywhere in
the picture. :func:`load_digit_image` closes that gap::

    pixels, batch = load_digit_image(EXAMPLE_DIGIT_PATH)  # or "my_photo.png", your own picture
    pixels.shape, batch.shape      # (28, 28) uint8 to look at, (1, 28, 28, 1) float32 for a model
    model.predict(batch)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from course_utils import config, data
from course_utils.language import tr

if TYPE_CHECKING:  # Pillow is imported where a picture is read, not with the package
    from PIL import Image

#: MNIST's field and the box the digit is scaled into.
FIELD_SIZE = 28
BOX_SIZE = 20
#: After inversion and background removal, pixels above this (0-255) count as ink.
INK_THRESHOLD = 40
#: The smallest picture accepted, a side: below 8 pixels a pen stroke is thinner than a pixel and
#: the digit, scaled up into the 20x20 box, is a blur (scikit-learn's 8x8 digits are the limit).
MIN_SIDE = 8
#: The most pixels decoded: every phone's full-resolution photo fits (48 MP: 8064x6048, 50 MP:
#: 8160x6120) and costs at most ~200 MB while being prepared. Larger JPEGs are decoded at 1/2,
#: 1/4 or 1/8 size (JPEG can, at no cost); larger pictures in other formats are refused from
#: their header, before a pixel is decoded.
MAX_PIXELS = 50_000_000
#: ``my_digit.png``, a handwritten-style 3 shipped with the package (not an MNIST image): dark
#: ink on light-grey paper, 200x200 pixels, off-centre. A real path in a checkout and in a wheel.
EXAMPLE_DIGIT_PATH: Path = data.resource_path("my_digit.png")

#: How image files begin: a file that begins so but cannot be read is damaged, not "no image".
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"BM": "BMP",
}


def _again() -> str:
    return tr(
        "Copy, download or export the picture again (or open it in an image viewer and save it again as PNG).",
        "请重新复制、下载或导出这张图片（或用图片查看器打开它，另存为 PNG）。",
    )


def _over_pillow_limit() -> str:
    return tr("larger than Pillow's safety limit", "超过了 Pillow 的安全上限")


class DigitImageError(ValueError):
    """The file is not an image, or the image has no digit in it; the message says which."""


def _check_path(path: object) -> Path:
    """The path as a :class:`Path` to a regular file, or the error that says what it is instead."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            tr(
                f'Expected the path of a picture (a str or a pathlib.Path, e.g. "my_digit.png"), '
                f"got {type(path).__name__}: {path!r}.",
                f'需要一张图片的路径（str 或 pathlib.Path，例如 "my_digit.png"），'
                f"得到的却是 {type(path).__name__}：{path!r}。",
            )
        )
    if not os.fspath(path):  # Path("") is the current folder: never what was meant
        raise DigitImageError(
            tr(
                'Got an empty path "". Give the path of your picture, e.g. "my_digit.png".',
                '得到的是空路径 ""。请给出图片的路径，例如 "my_digit.png"。',
            )
        )
    path = Path(path)
    if path.is_dir():
        raise DigitImageError(
            tr(
                f"{path} is a folder, not a picture. Give the path of the picture file inside it, "
                f"e.g. {path / 'my_digit.png'}.",
                f"{path} 是文件夹，不是图片。请给出其中图片文件的路径，例如 {path / 'my_digit.png'}。",
            )
        )
    if path.exists() and not path.is_file():
        # Opening a named pipe would wait for a writer for ever, a device may never end.
        raise DigitImageError(
            tr(
                f"{path} is not a regular file (a pipe, socket or device). Save the picture as a file and give its "
                "path.",
                f"{path} 不是普通文件（而是管道、套接字或设备）。请把图片保存为文件，再给出它的路径。",
            )
        )
    if path.is_symlink() and not path.exists():
        raise FileNotFoundError(
            tr(
                f"No image at {path}: it is a symbolic link to {os.readlink(path)}, which does not exist "
                f"(or links back to itself). Give the path of the picture itself.",
                f"{path} 处没有图片：它是指向 {os.readlink(path)} 的符号链接，而该目标不存在"
                f"（或链接又指回自身）。请给出图片本身的路径。",
            )
        )
    if not path.is_file():
        if path.is_absolute():
            raise FileNotFoundError(tr(f"No image at {path}.", f"{path} 处没有图片。"))
        raise FileNotFoundError(
            tr(
                f"No image at {path}. Relative paths start in the current folder, {Path.cwd()}.",
                f"{path} 处没有图片。相对路径从当前文件夹 {Path.cwd()} 算起。",
            )
        )
    return path


def _too_big(path: Path, size: str) -> DigitImageError:
    return DigitImageError(
        tr(
            f"{path} is {size}; pictures of at most {MAX_PIXELS // 1_000_000} megapixels are read (a phone's "
            f"full-resolution photo, 8064×6048, fits; a larger JPEG is read at reduced size). Crop the picture "
            f"around the digit or scale it down (a few hundred pixels a side is plenty), save it and load it again.",
            f"{path} 的大小是 {size}；只读取不超过 {MAX_PIXELS // 1_000_000} 百万像素的图片（手机的全分辨率照片 "
            f"8064×6048 可以读取；更大的 JPEG 会以缩小的尺寸读取）。请把图片裁剪到数字周围或缩小"
            f"（每边几百像素就足够了），保存后再重新加载。",
        )
    )


def _unreadable(path: Path, error: Exception) -> DigitImageError:
    """Pillow could not read the header: damaged if the file starts like an image, else no image."""
    from PIL import UnidentifiedImageError

    try:
        with path.open("rb") as file:
            start = file.read(8)
    except OSError:
        start = b""
    kind = next((name for magic, name in _SIGNATURES.items() if start.startswith(magic)), None)
    if kind is not None:
        detail = "" if isinstance(error, UnidentifiedImageError) else f" ({type(error).__name__}: {error})"
        return DigitImageError(
            tr(
                f"{path} is cut short or damaged: it starts like a {kind} file, but Pillow cannot read its header"
                f"{detail}. {_again()}",
                f"{path} 被截断或已损坏：它的开头像 {kind} 文件，但 Pillow 无法读取它的文件头{detail}。{_again()}",
            )
        )
    if isinstance(error, OSError) and error.strerror:  # the file system's own error (EIO, ...)
        return DigitImageError(
            tr(
                f"{path} cannot be read ({error.strerror}). {_again()}",
                f"{path} 无法读取（{error.strerror}）。{_again()}",
            )
        )
    return DigitImageError(
        tr(
            f"{path} is not an image Pillow can read (PNG, JPEG, BMP, ...). Save your digit as a PNG.",
            f"{path} 不是 Pillow 能读取的图片（PNG、JPEG、BMP 等）。请把你写的数字保存为 PNG。",
        )
    )


def _to_grey(image: Image.Image) -> np.ndarray:
    """A decoded Pillow image as greyscale uint8 0-255, whatever its mode (bit depth, alpha)."""
    from PIL import Image

    if image.mode.startswith("I;16"):
        # 16-bit scans and PNGs: the full 0-65535 range maps to 0-255 (Pillow's own conversion
        # clips everything above 255 to white, which erases the digit's grey edges).
        return np.round(np.asarray(image, dtype=np.float64) / 257.0).astype(np.uint8)
    if image.mode in ("I", "F"):
        return _levels_to_grey(np.asarray(image, dtype=np.float64))
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        opacity = np.asarray(rgba.getchannel("A"), dtype=np.float64) / 255.0
        if opacity.min() < 1.0:
            image = Image.alpha_composite(
                Image.new("RGBA", rgba.size, (_paper_under(rgba, opacity),) * 3 + (255,)), rgba
            )
        else:
            image = rgba
    if image.mode not in ("L", "RGB", "RGBA"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, 1-bit, palettes: through RGB
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _paper_under(rgba: Image.Image, opacity: np.ndarray) -> int:
    """The grey level (0-255) to show under the transparent parts of a picture: its paper.

    Mostly transparent (a drawing app's transparent sheet: what is drawn is the ink): the
    colour opposite to the ink, so black ink lands on white paper and white ink on black, like
    chalk on a board. Mostly opaque (a screenshot with transparent margins or corners, a
    sticker): the picture has its own paper, the level most of its opaque pixels have.
    """
    drawn = np.asarray(rgba.convert("RGB").convert("L"), dtype=np.float64)
    if (opacity < 0.5).mean() > 0.5:
        ink_level = (drawn * opacity).sum() / max(opacity.sum(), 1e-9)
        return 0 if ink_level > 127 else 255
    return int(np.median(drawn[opacity >= 0.5]))


def _levels_to_grey(levels: np.ndarray) -> np.ndarray:
    """32-bit integer or float pixels (TIFF from scanners, microscopes) as 0-255.

    Their range is not in the file: 0-1 (float convention), 0-255 and 0-65535 are recognised
    by the largest value and kept as absolute levels (so light paper stays light); anything
    else is stretched from its darkest to its lightest value.
    """
    if not np.isfinite(levels).all():
        count = int((~np.isfinite(levels)).sum())
        not_numbers = tr("is not a number", "不是数字") if count == 1 else tr("are not numbers", "不是数字")
        raise ValueError(
            tr(
                f"{count} of its pixels {not_numbers} (NaN or infinity)",
                f"它有 {count} 个像素{not_numbers}（NaN 或无穷大）",
            )
        )
    low, high = float(levels.min()), float(levels.max())
    if low >= 0 and high <= 1:
        levels = levels * 255.0
    elif low >= 0 and high <= 255:
        pass
    elif low >= 0 and high <= 65535:
        levels = levels / 257.0
    elif high > low:
        levels = (levels - low) * (255.0 / (high - low))
    else:
        levels = np.zeros_like(levels)
    return np.round(np.clip(levels, 0, 255)).astype(np.uint8)


def _open_image(path: Path) -> Image.Image:
    """Open ``path`` with Pillow, which reads only its header (format, mode, size), not its pixels."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            # Pillow warns above 89 MP; the size is checked here, against MAX_PIXELS, instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except PermissionError as error:
        raise DigitImageError(
            tr(
                f"{path} cannot be read: permission denied. Copy the picture to a folder of yours, "
                f"or let your user read it (chmod u+r).",
                f"{path} 无法读取：没有权限。请把图片复制到你自己的文件夹，或允许你的用户读取它（chmod u+r）。",
            )
        ) from error
    except Image.DecompressionBombError as error:
        # Pillow refuses more than 2 x 89 MP in open(), before reading the pixels: its message
        # has the size, the picture object (and its width and height) is never made.
        found = re.search(r"\((\d+) pixels\)", str(error))
        size = (
            tr(f"{round(int(found.group(1)) / 1e6)} megapixels", f"{round(int(found.group(1)) / 1e6)} 百万像素")
            if found
            else _over_pillow_limit()
        )
        raise _too_big(path, size) from error
    except Exception as error:  # any failure to parse the header, whatever Pillow raises
        # Pillow raises UnidentifiedImageError when no format recognises the header, but a
        # plugin may also raise EOFError, ValueError, ... on a header cut short.
        raise _unreadable(path, error) from error
    return image


def read_grey(path: config.PathLike) -> np.ndarray:
    """Read a picture as a greyscale uint8 array (0 black, 255 white), as the camera showed it.

    Accepted: anything Pillow reads (PNG, JPEG, GIF, BMP, TIFF, WebP, ...), in any colour mode
    (RGB, CMYK, palette, 1-bit, 16-bit, 32-bit integer and float). A phone photo is turned as
    its EXIF orientation says. A transparent background becomes paper in the colour opposite to
    the ink (white under dark ink, black under light ink). Of several frames (an animated GIF, a
    multi-page TIFF) the first is read. A JPEG above :data:`MAX_PIXELS` is decoded at 1/2, 1/4
    or 1/8 size.

    Args:
        path: the picture's file.

    Returns:
        A 2-D uint8 array (height, width).

    Raises:
        FileNotFoundError: nothing at ``path``.
        TypeError: ``path`` is not a str or path.
        DigitImageError: ``path`` is a folder, empty, not an image, cut short or damaged,
            unreadable, or larger than :data:`MAX_PIXELS` (checked from the header, before
            any pixel is decoded); the message says which and what to do.
    """
    from PIL import Image, ImageOps

    path = _check_path(path)
    if path.stat().st_size == 0:
        raise DigitImageError(
            tr(
                f"{path} is empty (0 bytes): the copy, download or save did not finish. {_again()}",
                f"{path} 是空文件（0 字节）：复制、下载或保存没有完成。{_again()}",
            )
        )
    with _open_image(path) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            if image.format == "JPEG":
                scale = next((s for s in (2, 4, 8) if -(-width // s) * -(-height // s) <= MAX_PIXELS), 8)
                image.draft(image.mode, (max(1, width // scale), max(1, height // scale)))
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise _too_big(
                    path,
                    tr(
                        f"{width}×{height} pixels ({round(width * height / 1e6)} megapixels)",
                        f"{width}×{height} 像素（{round(width * height / 1e6)} 百万像素）",
                    ),
                )
        try:
            image.load()
        except MemoryError:
            raise
        except Image.DecompressionBombError as error:  # a frame or a tile larger than the header said
            raise _too_big(path, _over_pillow_limit()) from error
        except Exception as error:
            # Pillow's decoders report damage as OSError, SyntaxError, struct.error, zlib.error,
            # EOFError or ValueError, depending on the format and where the file ends.
            raise DigitImageError(
                tr(
                    f"{path} is cut short or damaged: Pillow could not decode its pixels "
                    f"({type(error).__name__}: {error}). {_again()}",
                    f"{path} 被截断或已损坏：Pillow 无法解码它的像素（{type(error).__name__}: {error}）。{_again()}",
                )
            ) from error
        try:
            ImageOps.exif_transpose(image, in_place=True)  # in place: no second copy of a big photo
        except Exception:
            pass  # an unreadable orientation tag: use the pixels as stored, as image viewers do
        try:
            return _to_grey(image)
        except ValueError as error:
            raise DigitImageError(
                tr(
                    f"{path} cannot be used: {error}. Save the picture again as an ordinary 8-bit PNG or JPEG.",
                    f"{path} 无法使用：{error}。请把图片重新保存为普通的 8 位 PNG 或 JPEG。",
                )
            ) from error


def ink_on_black(grey: np.ndarray) -> np.ndarray:
    """Make the digit white on black like MNIST: invert light paper, remove the background level.

    The border of the picture tells which is paper: if it is lighter than mid-grey the image
    is inverted. The background level (the median pixel, since most of the picture is paper)
    is then subtracted and the rest stretched to 0-255, so grey paper becomes black.
    """
    pixels = grey.astype(np.float32)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if np.median(border) > 127:
        pixels = 255.0 - pixels
    pixels = np.clip(pixels - np.median(pixels), 0.0, None)
    top = pixels.max()
    if top > 0:
        pixels *= 255.0 / top
    return pixels.round().astype(np.uint8)


def centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass, pixels weighted by their brightness."""
    weights = pixels.astype(np.float64)
    total = weights.sum()
    rows, columns = np.indices(pixels.shape)
    return float((rows * weights).sum() / total), float((columns * weights).sum() / total)


def _too_small(shape: tuple[int, ...], what: str | None = None) -> str:
    height, width = shape
    what = what or tr("The picture", "这张图片")
    return tr(
        f"{what} is too small: {width}×{height} pixels, and a digit needs at least "
        f"{MIN_SIDE}×{MIN_SIDE} (below that a pen stroke is thinner than a pixel; MNIST draws its digits 20 pixels "
        f"tall). Photograph or scan the digit larger: a few hundred pixels a side is best.",
        f"{what}太小了：{width}×{height} 像素，而一个数字至少需要 {MIN_SIDE}×{MIN_SIDE} 像素"
        f"（再小的话，一笔的宽度还不到一个像素；MNIST 的数字高 20 像素）。"
        f"请把数字拍得或扫描得大一些：每边几百像素最好。",
    )


def mnist_style(grey: np.ndarray) -> np.ndarray:
    """A greyscale picture of one digit as a 28x28 MNIST-style uint8 image (ink 255 on 0).

    Steps: :func:`ink_on_black`; crop to the ink; scale the longer side to 20 pixels keeping
    the proportions (anti-aliased); paste into 28x28 with the centre of mass in the middle.
    Raises :class:`DigitImageError` when there is no ink, or the picture is smaller than
    :data:`MIN_SIDE` pixels a side.
    """
    from PIL import Image

    if grey.ndim != 2:
        raise DigitImageError(
            tr(
                f"expected a 2-D greyscale picture (height, width), got shape {grey.shape}",
                f"需要一张二维灰度图片（高, 宽），得到的形状却是 {grey.shape}",
            )
        )
    if min(grey.shape) < MIN_SIDE:
        raise DigitImageError(_too_small(grey.shape))
    ink = ink_on_black(grey)
    rows, columns = np.nonzero(ink > INK_THRESHOLD)
    if rows.size == 0:
        raise DigitImageError(
            tr(
                "No ink found: the picture is one flat colour. Draw the digit dark on light paper (or light on dark).",
                "没有找到笔迹：整张图片是同一种颜色。请在浅色纸上用深色写数字（或在深色底上用浅色写）。",
            )
        )
    crop = ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    height, width = crop.shape
    scale = BOX_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # Pillow wants (width, height)
    small = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.LANCZOS), dtype=np.uint8)

    field = np.zeros((FIELD_SIZE, FIELD_SIZE), dtype=np.uint8)
    row_mass, column_mass = centre_of_mass(small)
    middle = (FIELD_SIZE - 1) / 2
    top = int(np.clip(round(middle - row_mass), 0, FIELD_SIZE - small.shape[0]))
    left = int(np.clip(round(middle - column_mass), 0, FIELD_SIZE - small.shape[1]))
    field[top : top + small.shape[0], left : left + small.shape[1]] = small
    return field


def load_digit_image(path: config.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a picture of one handwritten digit and prepare it like MNIST.

    Returns ``(pixels, batch)``: the (28, 28) uint8 image (ink 255 on 0, as in
    ``data.load_mnist``) to look at, and a (1, 28, 28, 1) float32 batch in [0, 1] to give a
    model. Any picture :func:`read_grey` accepts works (phone photos turned upright, 16-bit
    and float scans, drawings on a transparent sheet).

    Raises ``FileNotFoundError`` for a missing file, ``TypeError`` for a path that is not a str
    or path, and :class:`DigitImageError` (a ``ValueError``) for everything else the message
    explains: a folder, an empty, damaged or cut-short file, a file that is not an image, a
    picture smaller than 8x8 or larger than :data:`MAX_PIXELS`, an image without ink.
    """
    grey = read_grey(path)
    if min(grey.shape) < MIN_SIDE:
        raise DigitImageError(_too_small(grey.shape, tr(f"{Path(path)}", f"图片 {Path(path)} ")))
    pixels = mnist_style(grey)
    batch = data.prepare(pixels[np.newaxis])
    return pixels, batch
