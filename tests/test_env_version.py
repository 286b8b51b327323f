"""The pickled environment follows kb.schema: an environment written with an
older schema is read again from scratch, not loaded and crashed on.

The environment keeps ``schema.Article`` objects (and glossary entries); after
a schema change, the old pickle holds objects of the old shape. Every module
that keeps data on the environment declares an ``env_version`` derived from
``schema.SCHEMA_VERSION``, and Sphinx discards an environment whose versions
differ.
"""

from __future__ import annotations

import pickle
import shutil
import types
from pathlib import Path

import pytest
from sphinx.errors import ExtensionError

from kb import schema
from kb.sphinxext import MODULES

ENV_MODULES = [
    "kb.sphinxext.articles",
    "kb.sphinxext.glossary_links",
    "kb.sphinxext.seo",
    "kb.sphinxext.site",
    "kb.sphinxext.depends",
    "kb.sphinxext.bibtex_adapter",
]


@pytest.fixture
def srcdir(rootdir: Path, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-article-header", src)
    return src


def _age_the_pickle(doctreedir: Path) -> None:
    """Make the pickled articles look like those of an older schema."""
    path = doctreedir / "environment.pickle"
    env = pickle.loads(path.read_bytes())
    assert env.kb_articles, "the test root has articles"
    env.kb_articles = {
        d: types.SimpleNamespace(heading=a.title) for d, a in env.kb_articles.items()
    }
    path.write_bytes(pickle.dumps(env, pickle.HIGHEST_PROTOCOL))


def test_every_module_with_env_data_declares_env_version(make_app, srcdir: Path) -> None:
    app = make_app("html", srcdir=srcdir)
    for name in ENV_MODULES:
        assert name in MODULES
        version = app.extensions[name].metadata.get("env_version")
        assert version, f"{name} keeps data on the env and declares no env_version"
        assert version // 1000 == schema.SCHEMA_VERSION, name


def test_older_schema_means_a_full_read(make_app, srcdir: Path, monkeypatch) -> None:
    first = make_app("html", srcdir=srcdir)
    first.build()
    assert first.warning.getvalue() == ""
    articles = len(first.env.kb_articles)
    first.cleanup()
    _age_the_pickle(first.doctreedir)

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    second = make_app("html", srcdir=srcdir)
    assert "build environment version not current" in second.status.getvalue()
    second.build()
    assert second.warning.getvalue() == ""
    # Every page read again, every article of the current shape.
    assert f"{len(second.env.found_docs)} added, 0 changed" in second.status.getvalue()
    assert all(isinstance(a, schema.Article) for a in second.env.kb_articles.values())
    assert len(second.env.kb_articles) == articles


def test_without_the_version_the_old_pickle_breaks_the_build(make_app, srcdir: Path) -> None:
    """The failure the version prevents (so the test above can fail)."""
    first = make_app("html", srcdir=srcdir)
    first.build()
    first.cleanup()
    _age_the_pickle(first.doctreedir)
    second = make_app("html", srcdir=srcdir)
    with pytest.raises(ExtensionError, match="has no attribute 'title'"):
        second.build()
