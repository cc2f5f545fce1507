"""Synthetic but realistic anomaly-detection bibliographies for the benchmarks.

One seeded stream of papers is written in two shapes: list markdown in the LGC dialect (exactly as
``data/seed/lgc-industrial-medical-ad_2025-12.md`` is stored: the UTF-8 text once decoded as Mac
Roman, so ⭐ reads ``‚≠ê`` and Müller ``M√ºller``) and BibTeX (LaTeX accents such as
``M{\\"u}ller`` for most non-ASCII names, raw UTF-8 for the rest, as biber users write them).
The same ``seed`` and ``n`` give the same papers, byte for byte, in both files.

What a paper looks like:

* domain (industrial / medical) and list section from ``data/vocab/categories.toml``; titles built
  from the vocabulary of anomaly-detection titles, matched to the section (diffusion papers are
  filed under "Diffusion-Based Approaches"), most with a method name (``PatchCore:``, ``AnoDiff:``);
* 1–12 authors drawn from a pool of given and family names weighted roughly like the field's
  (many Wang, Zhang, Li; accented European names; ``van den`` particles; middle initials);
* venue from ``data/vocab/venues.toml`` (short name, full name or alias), years 2015–2025 growing
  over time, datasets from ``data/vocab/datasets.toml`` (names and aliases) matched to the domain;
* arXiv ids (unique), DOIs with each publisher's pattern (unique), paper and code URLs.

Nothing is held beyond the paper being written: 1M papers stream to disk in flat memory.

Usage::

    python benchmarks/generate.py 1k 10k 100k [1M] [--out DIR] [--seed 2025] [--formats md,bib]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import tomllib
import unicodedata
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parent.parent
VOCAB = REPO / "data" / "vocab"
DEFAULT_OUT = Path(__file__).resolve().parent / "data"
DEFAULT_SEED = 2025
SIZES = {"200": 200, "1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}
FORMATS = {"md": "LGC list markdown", "bib": "BibTeX"}
YEARS = range(2015, 2026)


# ------------------------------------------------------------------------------ vocabulary


@dataclass(frozen=True)
class Venue:
    short: str
    name: str
    type: str
    aliases: tuple[str, ...]
    group: str  # the "# --- group ---" comment above it in venues.toml


@dataclass(frozen=True)
class Dataset:
    name: str
    aliases: tuple[str, ...]
    group: str


def _grouped(path: Path, table: str) -> list[tuple[str, dict]]:
    """The ``[[table]]`` entries of a vocabulary file, each with the ``# --- group`` comment above it.

    The vocabulary files sort their entries under such comments (industrial inspection, brain, …);
    the generator uses them to keep venues and datasets consistent with a paper's domain."""
    groups, group = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ---"):
            group = line.strip("#- ").strip()
        elif line.strip() == f"[[{table}]]":
            groups.append(group)
    entries = tomllib.loads(path.read_text(encoding="utf-8"))[table]
    return list(zip(groups, entries, strict=True))


@cache
def venues() -> list[Venue]:
    return [
        Venue(v["short"], v["name"], v["type"], tuple(v.get("aliases", ())), group)
        for group, v in _grouped(VOCAB / "venues.toml", "venue")
    ]


@cache
def datasets() -> list[Dataset]:
    return [
        Dataset(d["name"], tuple(d.get("aliases", ())), group)
        for group, d in _grouped(VOCAB / "datasets.toml", "dataset")
    ]


@cache
def sections() -> list[tuple[str, str, str]]:
    """(domain, H1 heading, H2 heading) of every list section: each domain × each category."""
    vocab = tomllib.loads((VOCAB / "categories.toml").read_text(encoding="utf-8"))
    return [
        (domain["name"], domain["headings"][0], category["headings"][0])
        for domain in vocab["domain"]
        for category in vocab["category"]
    ]


# ------------------------------------------------------------------------------ name pools


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Family names with weights: the field's authorship is dominated by a few very common names.
_FAMILY_WEIGHTED = {
    60: "Wang Zhang Li Liu Chen",
    25: "Yang Zhao Huang Zhou Wu Xu Sun Hu Zhu Gao Lin He Guo Ma Luo",
    10: "Liang Song Zheng Xie Han Tang Feng Yu Dong Xiao Cheng Cao Yuan Deng Fu Shen Zeng Peng Lu Su"
    " Jiang Cai Jia Ding Wei Xue Ye Yan Pan Du Dai Xia Zhong Tian Ren Fan Fang Shi Yao Tan Liao Zou"
    " Xiong Jin Kong Bai Cui Kang Mao Qiu Qin Gu Hou Shao Meng Kim Lee Park Choi Kumar Singh",
    3: "Jung Tanaka Suzuki Sato Takahashi Watanabe Nakamura Sharma Gupta Patel Reddy Iyer Rao"
    " Chatterjee Banerjee Smith Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz"
    " Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun"
    " Krüger Hartmann Lange Werner Krause Gröger Schölkopf Roth Navab Albarqouni Baur Wiestler"
    " Konukoglu Rueckert Kainz Glocker Pinaya Cardoso Ourselin Menze Ruff Kloft Vandermeulen"
    " Görnitz Binder Pang Bergmann Fauser Sattlegger Steger Batzner Heckler Brox García González"
    " Rodríguez Fernández López Martínez Sánchez Pérez Gómez Jiménez Hernández Díaz Muñoz Álvarez"
    " Núñez Dupont Lefèvre Moreau Laurent Girard Rossi Russo Ferrari Bianchi Ricci Öztürk Yılmaz"
    " Şahin Çelik Nowak Kowalski Wiśniewski Dvořák Novák Jönsson Åström Andersson Nielsen Sørensen"
    " Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Thompson"
    " White Harris Clark Lewis Walker Young Allen Wright Scott Hill Green Adams Baker Nelson Carter"
    " Cohen Friedman Katz Ivanov Petrov Smirnov Kuznetsov Popov Nguyen Tran Pham",
}
_FAMILIES = [(name, weight) for weight, names in _FAMILY_WEIGHTED.items() for name in _words(names)]
# Family names with a particle: (von, family).
_PARTICLE_FAMILIES = [("van den", "Hengel"), ("de", "Bruijne"), ("van", "Ginneken"),
                      ("van der", "Laak"), ("de", "Vos"), ("von", "Stosch"), ("da", "Silva"),
                      ("de la", "Torre"), ("van", "Gool"), ("di", "Stefano")]  # fmt: skip
_GIVEN = _words(
    "Wei Jing Yu Hao Xin Yang Jie Lei Jun Tao Ming Chao Bo Yi Lin Xiaoming Yuxuan Zhiwei Jiawei"
    " Yuanhao Haoran Zihan Yifan Ruoxi Xinyu Shuai Chunhua Guansong Jiawen Hanxi Zuxuan Xincheng"
    " Yunkang Jianfei Chengjie Chenglong Shengfeng Qiang Lei Kai Rui Ying Yan Fang Hui Jian Peng"
    " Ji-Hoon Seung-Woo Min-Jun Hiroshi Takashi Yuki Kenji Haruto Aarav Rahul Priya Ananya Vikram"
    " Arjun Sneha Thomas Lukas Jonas Felix Paul Maximilian Sophie Marie Anna Lena Julia Laura"
    " Hannah Klaus-Robert Björn Jürgen Jörg Günther Sören Nico Marius Philipp Christoph Tobias"
    " Matthias Daniel David Michael Andrew James John Robert William Emily Sarah Jessica Olivier"
    " François Hervé Jérôme Céline Élodie José María Ángel Sofía Andrés Jesús Raúl Iñaki Łukasz"
    " Michał Paweł Zoë Søren Åsa Mattias Lars Ender Barış Çağrı Gözde Ozan Nassir Shadi Bernhard"
    " Ben Walter Mark Pedro Anh Minh Linh"
)
_INITIALS = _words("A. B. C. D. E. F. G. H. J. K. L. M. N. P. R. S. T. W.")
# How many authors a paper has, 1..12.
_AUTHOR_COUNT_WEIGHTS = (3, 8, 12, 14, 14, 12, 10, 8, 6, 5, 4, 4)

# ------------------------------------------------------------------------------ title pools

_ADJECTIVES = (
    "Unsupervised", "Self-Supervised", "Zero-Shot", "Few-Shot", "Weakly-Supervised", "Open-Set",
    "Multi-Class", "Unified", "Robust", "Efficient", "Explainable", "Training-Free", "Real-Time",
    "Continual", "Semi-Supervised", "Prompt-Guided", "Context-Aware", "Fine-Grained", "Scalable",
    "Label-Efficient", "Noise-Robust", "Class-Agnostic", "Domain-Generalized", "Interpretable",
)  # fmt: skip
_TASKS = (
    "Anomaly Detection", "Anomaly Localization", "Anomaly Segmentation", "Defect Detection",
    "Lesion Detection", "Outlier Detection", "Novelty Detection", "Out-of-Distribution Detection",
    "Anomaly Detection and Localization", "Visual Anomaly Detection",
)  # fmt: skip
_OBJECTS = {
    "industrial": (
        "Industrial Images", "Surface Defects", "3D Point Clouds", "Textured Surfaces",
        "Printed Circuit Boards", "Logical Constraints", "High-Resolution Images",
        "Multi-View Inspection", "Production Lines", "Steel Surfaces", "Fabric Inspection",
        "Semiconductor Wafers", "RGB-D Data", "Industrial Video",
    ),
    "medical": (
        "Brain MRI", "Chest X-Rays", "Retinal OCT", "Histopathology", "Colonoscopy",
        "Mammography", "Head CT", "Fundus Images", "Medical Images", "Skin Lesions",
        "Ultrasound", "Whole-Slide Images", "Endoscopy", "Cardiac MRI", "Knee Radiographs",
    ),
}  # fmt: skip
_METHODS_BY_CATEGORY = {
    "Diffusion-Based Approaches": (
        "Diffusion Models", "Denoising Diffusion Probabilistic Models", "Latent Diffusion",
        "Conditional Diffusion", "Masked Diffusion", "Score-Based Diffusion", "Diffusion Inpainting",
    ),
    "GAN-Based Approaches": ("Generative Adversarial Networks", "Adversarial Autoencoders", "Cycle-Consistent GANs"),
    "AE-Based Approaches": ("Variational Autoencoders", "Masked Autoencoders", "Vector-Quantized Autoencoders"),
    "Flow-Based Approaches": ("Normalizing Flows", "Conditional Normalizing Flows", "Cross-Scale Flows"),
    "Knowledge Distillation": ("Reverse Distillation", "Student-Teacher Networks", "Asymmetric Distillation"),
    "Feature-based/Memory Methods": ("Memory Banks", "Patch Embeddings", "Pretrained Feature Matching", "Coreset Memory"),
    "Synthesis-based Methods": ("Anomaly Synthesis", "Synthetic Defect Generation", "Pseudo-Anomaly Augmentation"),
    "Vision Language Models": ("Vision-Language Models", "CLIP Prompt Learning", "Multimodal Large Language Models"),
    "Self-Supervised Learning": ("Contrastive Learning", "Self-Supervised Pretext Tasks", "Masked Image Modeling"),
}  # fmt: skip
_METHODS = (
    "Vision Transformers", "Prototype Learning", "Implicit Neural Representations",
    "Segment Anything", "Graph Neural Networks", "Feature Reconstruction", "Transformers",
    "Deviation Networks", "One-Class Classification", "Energy-Based Models", "State Space Models",
)  # fmt: skip
_COMPONENTS = (
    "Frequency-Aware Attention", "Cross-Modal Alignment", "Hierarchical Memory",
    "Adaptive Noise Scheduling", "Learnable Prompts", "Local-Global Consistency", "Score Matching",
    "Uncertainty Estimation", "Residual Learning", "Multi-Scale Features", "Test-Time Adaptation",
)  # fmt: skip
# Every template uses all five slots: titles rarely repeat, even among a million papers.
_TEMPLATES = (
    "{method} with {component} for {adj} {task} in {obj}",
    "Towards {adj} {task} in {obj} via {method} and {component}",
    "Rethinking {method} for {adj} {task} in {obj}: The Role of {component}",
    "{adj} {task} in {obj} Using {method} and {component}",
    "Learning {component} with {method} for {adj} {task} in {obj}",
    "Revisiting {method}: {adj} {task} in {obj} with {component}",
    "{component} Meets {method}: Towards {adj} {task} in {obj}",
    "{adj} {task} in {obj} by {method} with {component}",
)
# Method names ("PatchCore", "AnoDDPM"): a head and a tail.
_NAME_HEADS = _words(
    "Ano Diff Patch Rev Dis Mem Flow Rec Seg Gen Norm Proto Glo Mask Trans Dual Uni Omni Cross"
    " Self Simple Fast Deep Meta Hyper Sparse Local Prompt Win Inp"
)
_NAME_TAILS = _words("Core Net AD Former GAN Diff CLIP SAM Seg Flow Dist Mem VAE Rec DDPM Match Fuse Shot Det")
_SUMMARY_STARTS = (
    "a method built on {m} that {verb} to {goal}.",
    "uses {m} to {goal}.",
    "Combines {m} with {component} so that the model can {goal}.",
)
_VERBS = ("models the distribution of normal samples", "reconstructs normal appearance",
          "aligns features across scales", "learns compact normal prototypes",
          "synthesizes realistic anomalies")  # fmt: skip
_GOALS = ("localize subtle defects precisely", "separate normal from abnormal patterns",
          "detect unseen anomaly types without labels", "generalize across categories",
          "run in real time on edge devices")  # fmt: skip
_GITHUB_LABS = ("mala-lab", "openvinotoolkit", "amazon-science", "hq-deng", "xcyao00",
                "caiyu6666", "tientrandinh", "guojiajeremy", "ByChelsea", "zhiyuanyou")  # fmt: skip
_OPENREVIEW_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


# ------------------------------------------------------------------------------ papers


@dataclass(frozen=True)
class Author:
    given: str
    family: str
    von: str = ""

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.given, self.von, self.family) if p)


@dataclass(frozen=True)
class Paper:
    index: int
    h1: str  # the list's domain heading
    h2: str  # its section heading
    title: str
    method_name: str | None  # "PatchCore": brace-protected in BibTeX
    year: int
    venue: Venue
    venue_tag: str  # as the LGC list writes it: (2024-MICCAI)
    venue_written: str  # as BibTeX writes it: booktitle / journal
    authors: tuple[Author, ...]
    truncated: bool  # BibTeX "and others"
    arxiv: str | None
    doi: str | None
    paper_url: str | None
    code_url: str | None
    datasets: tuple[str, ...]
    summary: str
    abstract: str | None
    stars: int


class _Draw:
    """The seeded choices behind the papers (one RNG stream: same seed, same papers)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.family_names = [f for f, _ in _FAMILIES]
        self.family_cum = list(accumulate(w for _, w in _FAMILIES))
        self.year_cum = list(accumulate(y - 2013 for y in YEARS))
        self.arxiv_next: dict[str, int] = {}
        self.venue_groups = _by_group(venues())
        self.dataset_groups = _by_group(datasets())

    def choice(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def weighted(self, seq, cum):
        return seq[bisect(cum, self.rng.random() * cum[-1])]

    def year(self) -> int:
        return self.weighted(YEARS, self.year_cum)

    def author(self) -> Author:
        r = self.rng.random()
        given = self.choice(_GIVEN)
        if r < 0.08:
            given = f"{given} {self.choice(_INITIALS)}"
        if r > 0.985:
            von, family = self.choice(_PARTICLE_FAMILIES)
            return Author(given, family, von)
        return Author(given, self.weighted(self.family_names, self.family_cum))

    def authors(self) -> tuple[Author, ...]:
        n = 1 + bisect(_COUNT_CUM, self.rng.random() * _COUNT_CUM[-1])
        return tuple(self.author() for _ in range(n))

    def venue(self, domain: str) -> Venue:
        r = self.rng.random()
        if r < 0.12:
            group = "preprints"
        elif domain == "medical" and r < 0.65:
            group = "medical imaging"
        else:
            group = "computer vision, machine learning, data mining"
        return self.choice(self.venue_groups[group])

    def datasets(self, domain: str) -> tuple[str, ...]:
        groups = (
            ["industrial inspection"] if domain == "industrial"
            else ["brain", "chest X-ray", "retina, skin, breast, abdomen, pathology, endoscopy"]
        )  # fmt: skip
        if self.rng.random() < 0.15:
            groups.append("natural images, text, tabular")
        pool = [d for g in groups for d in self.dataset_groups.get(g, ())]
        picked = self.rng.sample(pool, min(len(pool), 1 + self.rng.randrange(6)))
        if domain == "medical" and self.rng.random() < 0.05:
            picked.append(self.choice(self.dataset_groups["data that is not public"]))
        return tuple(self.choice(d.aliases) if d.aliases and self.rng.random() < 0.3 else d.name for d in picked)

    def arxiv(self, year: int) -> str:
        """A new-style arXiv id (YYMM.NNNNN), unique: a per-month counter through a bijection."""
        yymm = f"{(year if self.rng.random() < 0.6 else year - 1) % 100:02d}{1 + self.rng.randrange(12):02d}"
        count = self.arxiv_next.get(yymm, 0)
        self.arxiv_next[yymm] = count + 1
        return f"{yymm}.{(count * 7919 + 1) % 100_000:05d}"  # 7919 is prime to 10^5: no repeats

    def openreview_id(self) -> str:
        return "".join(self.choice(_OPENREVIEW_CHARS) for _ in range(10))


_COUNT_CUM = list(accumulate(_AUTHOR_COUNT_WEIGHTS))


def _by_group(items) -> dict[str, list]:
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    return groups


def _section_counts(n: int, rng: random.Random) -> list[int]:
    """How many of the n papers each section gets (random weights, largest remainder)."""
    weights = [rng.uniform(0.3, 1.0) for _ in sections()]
    shares = [n * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: n - sum(counts)]:
        counts[i] += 1
    return counts


def papers(n: int, seed: int = DEFAULT_SEED) -> Iterator[Paper]:
    """n synthetic papers, section by section (as a list files them), one at a time."""
    draw = _Draw(seed)
    index = 0
    for (domain, h1, h2), count in zip(sections(), _section_counts(n, draw.rng), strict=True):
        for _ in range(count):
            yield _paper(draw, index, domain, h1, h2)
            index += 1


def _paper(draw: _Draw, index: int, domain: str, h1: str, h2: str) -> Paper:
    rng = draw.rng
    year = draw.year()
    venue = draw.venue(domain)
    method = draw.choice(_METHODS_BY_CATEGORY.get(h2, _METHODS) if rng.random() < 0.8 else _METHODS)
    phrase = draw.choice(_TEMPLATES).format(
        adj=draw.choice(_ADJECTIVES),
        task=draw.choice(_TASKS),
        obj=draw.choice(_OBJECTS[domain]),
        method=method,
        component=draw.choice(_COMPONENTS),
    )
    named = ":" not in phrase and rng.random() < 0.6
    method_name = draw.choice(_NAME_HEADS) + draw.choice(_NAME_TAILS) if named else None
    title = f"{method_name}: {phrase}" if method_name else phrase
    authors = draw.authors()
    preprint = venue.type == "preprint"
    arxiv = draw.arxiv(year) if preprint or rng.random() < 0.7 else None
    doi = None if preprint else _doi(venue, year, index)
    if arxiv is None and doi is None:
        arxiv = draw.arxiv(year)  # every paper has an identifier (arXiv id, DOI or both)
    m = method.lower()
    summary = draw.choice(_SUMMARY_STARTS).format(
        m=m,
        verb=draw.choice(_VERBS),
        goal=draw.choice(_GOALS),
        component=draw.choice(_COMPONENTS).lower(),
    )
    data = draw.datasets(domain)
    return Paper(
        index=index,
        h1=h1,
        h2=h2,
        title=title,
        method_name=method_name,
        year=year,
        venue=venue,
        venue_tag=_venue_tag(draw, venue),
        venue_written=_venue_written(draw, venue),
        authors=authors,
        truncated=len(authors) >= 8 and rng.random() < 0.2,
        arxiv=arxiv,
        doi=doi,
        paper_url=_paper_url(draw, venue, year, doi, title, authors[0]),
        code_url=_code_url(draw, method_name, title, authors[0]) if rng.random() < 0.55 else None,
        datasets=data,
        summary=summary[0].upper() + summary[1:] if rng.random() < 0.5 else summary,
        abstract=_abstract(draw, m, data, summary) if rng.random() < 0.25 else None,
        stars=1 + (rng.random() < 0.4) + (rng.random() < 0.15),
    )


def _venue_tag(draw: _Draw, v: Venue) -> str:
    short_aliases = [a for a in v.aliases if len(a) <= 8]
    return draw.choice(short_aliases) if short_aliases and draw.rng.random() < 0.2 else v.short


def _venue_written(draw: _Draw, v: Venue) -> str:
    name = draw.choice([v.name, *v.aliases]) if draw.rng.random() < 0.3 else v.name
    if v.type == "conference" and draw.rng.random() < 0.3:
        name = f"Proceedings of the {name}"
    return name


# DOI patterns by publisher; {i} keeps every DOI unique.
_IEEE = {"CVPR", "CVPRW", "ICCV", "WACV", "ISBI", "TMI", "PAMI", "TIP"}
_ELSEVIER = {"MedIA": "media", "PR": "patcog", "Neurocomputing": "neucom", "InfFus": "inffus"}
_SPRINGER = {"MICCAI", "IPMI", "UNSURE", "ECCV"}


def _doi(v: Venue, year: int, i: int) -> str | None:
    if v.short in _IEEE:
        return f"10.1109/{v.short}.{year}.{i:07d}"
    if v.short in _ELSEVIER:
        return f"10.1016/j.{_ELSEVIER[v.short]}.{year}.{i:07d}"
    if v.short in _SPRINGER:
        return f"10.1007/978-3-031-{43000 + i // 100:05d}-{i % 10}_{i % 100 + 1}"
    if v.short in ("KDD", "ACM MM"):
        return f"10.1145/{3580305 + i}.{3599000 + i}"
    if v.short == "AAAI":
        return f"10.1609/aaai.v{year - 1986}i{i % 24 + 1}.{20000 + i}"
    if v.short == "NatCommun":
        return f"10.1038/s41467-{year % 100:02d}-{i:06d}-{i % 10}"
    return None  # ICLR, NeurIPS, ICML, MIDL: no DOI


def _paper_url(draw: _Draw, v: Venue, year: int, doi: str | None, title: str, first: Author) -> str | None:
    if v.short in ("CVPR", "ICCV", "WACV", "CVPRW"):
        words = "_".join(re.findall(r"[A-Za-z0-9]+", title)[:8])
        return (f"https://openaccess.thecvf.com/content/{v.short}{year}/papers/"
                f"{_ascii(first.family)}_{words}_{v.short}_{year}_paper.pdf")  # fmt: skip
    if v.short in ("ICLR", "NeurIPS"):
        return f"https://openreview.net/forum?id={draw.openreview_id()}"
    if v.short in ("ICML", "MIDL"):
        return f"https://proceedings.mlr.press/v{170 + year - 2015}/{_ascii(first.family).lower()}{year % 100}a.html"
    if doi is None:
        return None
    if v.short in _SPRINGER:
        return f"https://link.springer.com/chapter/{doi}"
    if v.short in _IEEE:
        return f"https://ieeexplore.ieee.org/document/{9000000 + int(doi.rsplit('.', 1)[1])}"
    return f"https://doi.org/{doi}"


def _code_url(draw: _Draw, method_name: str | None, title: str, first: Author) -> str:
    owner = (
        draw.choice(_GITHUB_LABS)
        if draw.rng.random() < 0.3
        else (_ascii(first.given.split()[0] + first.family).lower() + str(draw.rng.randrange(100)))
    )
    repo = method_name or "-".join(re.findall(r"[A-Za-z0-9]+", title)[:3])
    return f"https://github.com/{owner}/{repo}"


def _abstract(draw: _Draw, method: str, data: tuple[str, ...], summary: str) -> str:
    auroc = f"{90 + draw.rng.random() * 9.9:.1f}"
    return (
        f"Anomaly detection is hard because anomalies are rare and diverse. We propose {summary}"
        f" Our approach builds on {method} and needs only normal samples for training."
        f" Experiments on {', '.join(data)} show state-of-the-art results, reaching {auroc}% AUROC."
    )


@cache
def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# ------------------------------------------------------------------------------ writers


def write_lgc(stream: Iterator[Paper], out: TextIO, title: str) -> int:
    """The papers as an LGC list: H1 per domain, H2 per section, one bullet (with sub-bullets) per
    paper, the whole text stored as the real list is (UTF-8 once decoded as Mac Roman)."""
    out.write(_mojibake(f"# {title}\n\nA curated list of papers (synthetic, for benchmarks).\n\n---\n"))
    h1 = h2 = None
    n = 0
    for p in stream:
        parts = []
        if p.h1 != h1:
            h1, h2 = p.h1, None
            anchor = h1.lower().replace(" ", "-")
            parts.append(f"\n\n# [{h1}](#{anchor})\n")
        if p.h2 != h2:
            h2 = p.h2
            parts.append(f"\n\n## {h2}\n")
        links = [f"[[Paper]]({p.paper_url})" if p.paper_url else None,
                 f"[[ArXiv]](https://arxiv.org/abs/{p.arxiv})" if p.arxiv else None,
                 f"[[Code]]({p.code_url})" if p.code_url else None]  # fmt: skip
        parts.append(
            f"\n\n- {'⭐' * p.stars} *({p.year}-{p.venue_tag})* **{p.title}** "
            f"{', '.join(link for link in links if link)}\n"
            f"  - Authors: {', '.join(a.full for a in p.authors)}\n"
            f"  - {p.summary}\n"
            f"  - Datasets: {', '.join(p.datasets)}\n"
        )
        out.write(_mojibake("".join(parts)))
        n += 1
    return n


def _mojibake(text: str) -> str:
    return text.encode("utf-8").decode("mac_roman")


def write_bibtex(stream: Iterator[Paper], out: TextIO) -> int:
    """The papers as a .bib file, one entry each (@inproceedings / @article / @misc)."""
    n = 0
    for p in stream:
        out.write(_bibtex_entry(p))
        n += 1
    return n


def _bibtex_entry(p: Paper) -> str:
    first = p.authors[0]
    word = next((w for w in re.findall(r"[a-z]+", p.title.lower()) if len(w) > 3), "paper")
    key = f"{_ascii(first.family).lower().replace(' ', '')}{p.year}{word}{_letters(p.index)}"
    names = [_bib_name(a, p.index) for a in p.authors]
    if p.truncated:
        names = [*names[:5], "others"]
    fields = [("author", " and ".join(names)), ("title", _bib_title(p)), ("year", str(p.year))]
    if p.venue.type == "preprint":
        kind = "misc"
        fields.append(("howpublished", f"arXiv preprint arXiv:{p.arxiv}"))
    elif p.venue.type == "journal":
        kind = "article"
        fields.append(("journal", p.venue_written))
    else:
        kind = "inproceedings"
        fields.append(("booktitle", p.venue_written))
    if p.doi:
        fields.append(("doi", p.doi))
    if p.arxiv:
        fields += [("eprint", p.arxiv), ("archivePrefix", "arXiv")]
    if p.paper_url:
        fields.append(("url", p.paper_url))
    if p.code_url:
        fields.append(("code", p.code_url))
    fields.append(("datasets", ", ".join(p.datasets)))
    if p.abstract:
        fields.append(("abstract", p.abstract.replace("%", r"\%")))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n\n"


def _letters(i: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'ba' …: keeps generated citation keys unique."""
    s = ""
    while True:
        i, r = divmod(i, 26)
        s = chr(97 + r) + s
        if i == 0:
            return s


def _bib_title(p: Paper) -> str:
    return p.title.replace(p.method_name, f"{{{p.method_name}}}", 1) if p.method_name else p.title


def _bib_name(a: Author, index: int) -> str:
    """``von Family, Given``; non-ASCII as LaTeX accents, except in one entry in four (UTF-8)."""
    name = f"{a.von + ' ' if a.von else ''}{a.family}, {a.given}"
    return name if index % 4 == 0 else _latex(name)


@lru_cache(maxsize=4096)
def _latex(text: str) -> str:
    if text.isascii():
        return text
    return _encoder().unicode_to_latex(text)


@cache
def _encoder():
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="braces-all")


# ------------------------------------------------------------------------------ files


def path_for(out: Path, label: str, fmt: str, seed: int = DEFAULT_SEED) -> Path:
    """The file name carries a digest of this generator and the vocabulary: a cached file
    is never reused after either changes."""
    return out / f"papers-{label}-seed{seed}-{_digest()}.{fmt}"


@cache
def _digest() -> str:
    h = hashlib.sha256(Path(__file__).read_bytes())
    for name in ("venues.toml", "datasets.toml", "categories.toml"):
        h.update((VOCAB / name).read_bytes())
    return h.hexdigest()[:8]


def ensure(label: str, fmt: str, out: Path = DEFAULT_OUT, seed: int = DEFAULT_SEED) -> Path:
    """The generated file for a size label and format, written first if it is not there yet."""
    path = path_for(out, label, fmt, seed)
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="\n") as f:
            stream = papers(SIZES[label], seed)
            if fmt == "md":
                write_lgc(stream, f, f"Awesome Industrial & Medical Anomaly Detection ({label} synthetic)")
            else:
                write_bibtex(stream, f)
        partial.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", choices=list(SIZES), help="how many papers")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"directory [default: {DEFAULT_OUT}]")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--formats", default="md,bib", help="md, bib or md,bib [default: both]")
    args = parser.parse_args(argv)
    formats = args.formats.split(",")
    for fmt in formats:
        if fmt not in FORMATS:
            parser.error(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    for label in args.sizes:
        for fmt in formats:
            path = ensure(label, fmt, args.out, args.seed)
            print(f"{path}  ({FORMATS[fmt]}, {SIZES[label]:,} papers, {path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
