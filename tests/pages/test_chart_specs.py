"""Every chart a page sends is valid Vega-Lite: the pages send specs unvalidated (ui/vega.py), so this checks them.

Each lesson page renders its default view (real models) and every chart's spec is validated against
the Vega-Lite JSON schema Altair ships, the check st.altair_chart would have made on every rerun. The
fine-tuning loss chart, which a default view does not draw, is validated from its builder.
"""

from __future__ import annotations

import json

import pytest

import course
from tests.apptest import run_app

LESSONS = [lesson for lesson in course.LESSONS]
NO_CHART_BY_DEFAULT = {"finetuning"}  # its loss chart appears with a run (below)


def validate(spec: dict) -> None:
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema import load_schema

    validate_jsonschema(spec, load_schema())


def test_a_broken_spec_is_caught():
    import altair as alt
    from jsonschema import ValidationError

    spec = alt.Chart({"values": [{"a": 1}]}).mark_bar().encode(x="a:Q").to_dict(validate=False)
    validate(spec)
    with pytest.raises(ValidationError):
        validate({**spec, "mark": {"type": "nonsense"}})


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_every_chart_of_the_page_is_valid_vega_lite(lesson, prepared_decoder):
    at = run_app("pt-BR", lesson.page)
    charts = at.get("vega_lite_chart")
    assert charts or lesson.id in NO_CHART_BY_DEFAULT
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        validate(spec)
        spec.pop("datasets", None)  # the students' own text may hold anything; the chart itself names no host
        assert "://" not in json.dumps(spec), spec


def test_the_loss_chart_is_valid_vega_lite():
    """(The dashboard's success-rate chart: tests/gptlab/test_progress_report.py validates it with to_dict().)"""
    from gptlab.nn.finetune import LogPoint, RunReport
    from labs.finetuning.widgets import loss_chart
    from ui import vega

    run = RunReport(total_steps=4, step=4, points=[LogPoint(1, 0.5, 3.2), LogPoint(2, 1.0, 2.9, 3.0),
                                                      LogPoint(4, 2.0, 2.5, 2.8)])
    for large in (False, True):
        validate(vega.spec(loss_chart(run, title="Loss", step="step", loss="loss", train="train",
                                      validation="validation", language="pt-BR", large=large)))

