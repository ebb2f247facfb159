"""The injectate fallback of intent: a template label "Steroid:" left empty or answered none, or a steroid named
only as a risk, is not a steroid given; a steroid written with a volume in a medications block is one."""

from __future__ import annotations

import pytest

from nlp.extract.agents import extract_agents
from nlp.extract.intent import extract_intent

LOCAL = "Injectate: bupivacaine 0.5%, 0.5 mL per site\n"


@pytest.mark.parametrize(
    "label",
    [
        "Steroid:\nTotal volume: 1.5 mL\n",
        "Steroid: [none]\n",
        "Steroid: [x] None  [ ] ***\n",
        "Steroid: ***\n",
        "Steroid: none\n",
        "Steroid:   Volume/site: 0.5 mL\n",
        "Corticosteroid: N/A\n",
    ],
)
def test_empty_steroid_label_is_not_a_steroid(view_of, label):
    view = view_of("PROCEDURE: Right L4-L5 facet joint injection.\n" + LOCAL + label)
    agents = extract_agents(view)
    assert {a.kind for a in agents} == {"local_anesthetic"}
    assert extract_intent(view, agents, "facet_joint_injection").value == "diagnostic"


@pytest.mark.parametrize(
    "label",
    ["Steroid: 40 mg\n", "Steroid: Kenalog 40 mg\n", "Steroid: yes, 10 mg\n"],
)
def test_filled_steroid_label_is_a_steroid(view_of, label):
    view = view_of("PROCEDURE: Right L4-L5 facet joint injection.\n" + LOCAL + label)
    assert "steroid" in {a.kind for a in extract_agents(view)}


def test_steroid_named_as_a_risk_is_not_given(view_of):
    view = view_of("TECHNIQUE: Risks discussed including steroid side effects. 1 mL lidocaine 1% injected per joint.")
    assert {a.kind for a in extract_agents(view)} == {"local_anesthetic"}


@pytest.mark.parametrize(
    ("meds", "kinds"),
    [
        ("MEDS\nRopivacaine 0.5% + triamcinolone 40 mg. 0.5 mL per joint.\n", {"local_anesthetic", "steroid"}),
        ("MEDICATIONS: dexamethasone 4 mg, 1 mL each level\n", {"steroid"}),
        # control: a home medication list
        ("MEDICATIONS: methylprednisolone dose pack last month, gabapentin.\n", set()),
    ],
)
def test_steroid_in_a_medications_block(view_of, meds, kinds):
    view = view_of("PROCEDURE: Left L3-L4 facet joint injection.\n" + meds)
    assert {a.kind for a in extract_agents(view)} == kinds
