"""MedNIST's layout, and a synthetic stand-in with the same classes when the real data is absent.

MedNIST (Dr. Bradley J. Erickson, Mayo Clinic; CC BY-SA 4.0) holds 64x64 grayscale JPEGs in
`<root>/<Class>/<NNNNNN>.jpeg` for six classes. It cannot be downloaded at run time here, so
`data_root()` returns the real data when $DLMED_MEDNIST_ROOT points at it, and otherwise writes
a synthetic set in the same layout. Each synthetic class is a noisy, randomly placed, scaled
and rotated drawing of the anatomy it is named after, with matched overall brightness, so no
single pixel gives the class away: every class has the same dark background, and a random
gain and offset per image blur the mean intensity, so a network has to learn shapes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = ("AbdomenCT", "BreastMRI", "CXR", "ChestCT", "Hand", "HeadCT")
ROOT_ENV = "DLMED_MEDNIST_ROOT"


def _ellipse(u, v, cx, cy, a, b):
    return ((u - cx) / a) ** 2 + ((v - cy) / b) ** 2 <= 1


def _draw(name: str, rng: np.random.Generator, size: int) -> np.ndarray:
    """One image of class `name` in [0, 1], before noise."""
    # Coordinates in [-1, 1], rotated and shifted by a random pose.
    angle, scale = rng.uniform(-0.35, 0.35), rng.uniform(0.8, 1.1)
    shift = rng.uniform(-0.12, 0.12, 2)
    y, x = np.mgrid[-1:1:size * 1j, -1:1:size * 1j]
    u = (np.cos(angle) * x + np.sin(angle) * y) / scale - shift[0]
    v = (-np.sin(angle) * x + np.cos(angle) * y) / scale - shift[1]
    img = np.zeros((size, size))
    if name == "HeadCT":  # bright skull ring around grey brain
        img[_ellipse(u, v, 0, 0, 0.75, 0.9)] = 0.95
        img[_ellipse(u, v, 0, 0, 0.65, 0.8)] = 0.45
        img[_ellipse(u, v, rng.uniform(-0.2, 0.2), 0, 0.08, 0.5)] = 0.3
    elif name == "ChestCT":  # wide body with two dark lungs and a bright spine
        img[_ellipse(u, v, 0, 0.05, 0.9, 0.65)] = 0.55
        for side in (-1, 1):
            img[_ellipse(u, v, side * 0.4, 0, 0.3, 0.42)] = 0.08
        img[_ellipse(u, v, 0, 0.5, 0.12, 0.12)] = 1.0
    elif name == "AbdomenCT":  # wide body with several bright organs
        img[_ellipse(u, v, 0, 0.05, 0.9, 0.7)] = 0.45
        for _ in range(4):
            cx, cy = rng.uniform(-0.5, 0.5), rng.uniform(-0.4, 0.4)
            img[_ellipse(u, v, cx, cy, rng.uniform(0.1, 0.25), rng.uniform(0.1, 0.2))] = rng.uniform(0.7, 0.95)
    elif name == "CXR":  # projection: bright body, dark lung fields, a vertical spine
        img[_ellipse(u, v, 0, 0.1, 0.85, 1.0)] = 0.7
        for side in (-1, 1):
            img[_ellipse(u, v, side * 0.38, -0.05, 0.28, 0.6)] = 0.25
        img[np.abs(u) < 0.06] = np.maximum(img[np.abs(u) < 0.06], 0.85)
    elif name == "Hand":  # palm with five fingers
        img[_ellipse(u, v, 0, 0.45, 0.42, 0.35)] = 0.8
        for i, cx in enumerate(np.linspace(-0.45, 0.45, 5)):
            length = rng.uniform(0.35, 0.55) if i else 0.3
            img[(np.abs(u - cx) < 0.07) & (v < 0.3) & (v > 0.3 - length - 0.3)] = 0.8
    elif name == "BreastMRI":  # a bright half-disc with textured tissue
        half = _ellipse(u, v, 0, 0.6, 0.9, 1.0) & (v < 0.6)
        texture = 0.5 + 0.3 * np.sin(9 * u + rng.uniform(0, 6)) * np.sin(7 * v)
        img[half] = texture[half]
    else:
        raise ValueError(f"unknown class {name!r}")
    return img


def synthesize(root, n_per_class: int = 60, image_size: int = 64, seed: int = 0) -> Path:
    """Write the synthetic set into `root` (kept if already complete); returns the root."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    for name in CLASSES:
        folder = root / name
        if folder.is_dir() and len(list(folder.glob("*.jpeg"))) == n_per_class:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            img = _draw(name, rng, image_size)
            img = img * rng.uniform(0.6, 1.1) + rng.uniform(0.0, 0.25) + rng.normal(0, 0.08, img.shape)
            pixels = (np.clip(img, 0, 1) * 255).astype(np.uint8)
            Image.fromarray(pixels, mode="L").save(folder / f"{i:06d}.jpeg", quality=90)
    return root


def has_mednist(root) -> bool:
    return root is not None and all((Path(root) / name).is_dir() for name in CLASSES)


def data_root(n_per_class: int = 60, image_size: int = 64, cache: str = "data") -> Path:
    """The real MedNIST when $DLMED_MEDNIST_ROOT holds it, else the synthetic stand-in
    (written once under `cache`, in a folder named for its size)."""
    configured = os.environ.get(ROOT_ENV)
    if has_mednist(configured):
        return Path(configured)
    folder = Path(cache) / f"MedNIST-synthetic-{n_per_class}x{image_size}"
    return synthesize(folder, n_per_class=n_per_class, image_size=image_size)
