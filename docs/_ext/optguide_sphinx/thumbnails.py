"""Gallery card thumbnails readable at card size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .gallery import gallery_paths

#: A first figure wider than this (width / height) has panels side by side.
WIDE_FIGURE = 1.8
#: The part of a wide figure's width kept for its thumbnail (its left panel).
LEFT_PANEL = 0.52


def first_panel_thumbnail(conf: dict[str, Any], fname: str | Path, gallery_subdir: Path) -> bool:
    """Replace the card thumbnail of a wide first figure by its left panel.

    Examples that choose their thumbnail (``sphinx_gallery_thumbnail_number`` or ``_path``)
    keep it, and so do examples whose first figure is not wider than :data:`WIDE_FIGURE`.

    Parameters
    ----------
    conf : dict
        sphinx-gallery's configuration (``thumbnail_size`` and the gallery folders).
    fname : str or pathlib.Path
        The example's file name.
    gallery_subdir : pathlib.Path
        The generated folder holding the example's ``images``.

    Returns
    -------
    bool
        Whether the thumbnail was replaced.
    """
    from PIL import Image
    from sphinx_gallery.gen_rst import scale_image

    source, _ = gallery_paths(conf)
    stem = Path(fname).stem
    script = next(iter(sorted(source.rglob(Path(fname).name))), None)
    if script is None or "sphinx_gallery_thumbnail" in script.read_text(encoding="utf-8"):
        return False
    images = gallery_subdir / "images"
    figure = next((path for path in (images / f"sphx_glr_{stem}_001_2_00x.png",
                                     images / f"sphx_glr_{stem}_001.png") if path.is_file()), None)
    thumb = images / "thumb" / f"sphx_glr_{stem}_thumb.png"
    if figure is None or not thumb.is_file():
        return False
    with Image.open(figure) as image:
        width, height = image.size
        if width / height < WIDE_FIGURE:
            return False
        panel = image.crop((0, 0, int(width * LEFT_PANEL), height))
        cropped = thumb.with_name(thumb.stem + ".panel.png")
        panel.save(cropped)
    scale_image(str(cropped), str(thumb), *conf["thumbnail_size"])
    cropped.unlink()
    return True
