"""The three assessment instruments shipped with Twinning (issue 13), version 1 of each, every statement our own.

The content lives here rather than in a module the migration imports, so that a later change to the instruments
(which goes through the product as a new version) never rewrites what this migration loaded.
"""

from django.db import migrations
from django.utils.translation import gettext_noop as _

AGREE_5 = (
    1,
    5,
    [_("Strongly disagree"), _("Disagree"), _("Neither agree nor disagree"), _("Agree"), _("Strongly agree")],
)
EXTENT_7 = (
    1,
    7,
    [
        _("Not at all"),
        _("To a very small extent"),
        _("To a small extent"),
        _("To some extent"),
        _("To a fair extent"),
        _("To a large extent"),
        _("To a very great extent"),
    ],
)
READY_5 = (
    1,
    5,
    [_("Not started"), _("Early steps"), _("Partly in place"), _("Mostly in place"), _("Fully in place")],
)

HEALTH_CHECK = {
    "code": "partnership-health-check",
    "name": _("Partnership health check"),
    "kind": "health_check",
    "description": (
        _(
            "Both sides rate, each on their own, how well the partnership lives up to ten principles of partnership. "
            "Where the two sides see things differently, talk about why before agreeing the next steps."
        )
    ),
    "scale": AGREE_5,
    "not_applicable": True,
    "sections": [
        (
            "strategic",
            _("Strategic"),
            [
                (
                    "shared-goal",
                    _("We share one goal for the partnership and can both state it in a sentence."),
                    _("Think of the last planning meeting: did both sides describe the goal the same way?"),
                ),
                (
                    "national-priorities",
                    _("Our work serves priorities the health system of the host country has set."),
                    _("Name the national or district plan the work supports."),
                ),
                (
                    "long-view",
                    _("We plan beyond the next visit or activity, towards results several years away."),
                    "",
                ),
                (
                    "choices",
                    _("We say no to requests that would pull the partnership away from its goal."),
                    "",
                ),
            ],
        ),
        (
            "harmonised",
            _("Harmonised and aligned"),
            [
                (
                    "local-systems",
                    _(
                        "We use the host institution's own systems (records, procurement, training) "
                        "rather than running parallel ones."
                    ),
                    "",
                ),
                (
                    "other-actors",
                    _(
                        "We know the other programmes working with the host institution and avoid "
                        "duplicating them."
                    ),
                    "",
                ),
                (
                    "ministry-informed",
                    _("The ministry or local authority knows what we do and has had a say in it."),
                    "",
                ),
                (
                    "calendar",
                    _("Activities fit the host institution's calendar and workload."),
                    _("Consider rotas, budget cycles, holidays and exam periods."),
                ),
            ],
        ),
        (
            "effective",
            _("Effective and sustainable"),
            [
                ("measurable", _("We can show measurable change that the partnership contributed to."), ""),
                ("continues", _("What we build would keep working if visits stopped tomorrow."), ""),
                (
                    "local-resources",
                    _("Running costs of what we introduce are within what the host can pay for."),
                    "",
                ),
                (
                    "learn-from-failure",
                    _("When something does not work we change course rather than repeat it."),
                    "",
                ),
            ],
        ),
        (
            "respectful",
            _("Respectful and reciprocal"),
            [
                (
                    "equal-voice",
                    _("Both sides have an equal voice in decisions about the partnership."),
                    _("Who set the agenda of the last three meetings?"),
                ),
                ("both-benefit", _("Each side can name what it has gained from the partnership."), ""),
                (
                    "expertise-valued",
                    _(
                        "The expertise of the host side is sought and used, not only that of the resource side."
                    ),
                    "",
                ),
                (
                    "culture",
                    _("Visitors adapt to the culture and ways of working of the place they visit."),
                    "",
                ),
            ],
        ),
        (
            "accountable",
            _("Organised and accountable"),
            [
                ("roles", _("Everyone knows who coordinates what on each side."), ""),
                ("money-open", _("Money and in-kind support are recorded and open to both sides."), ""),
                ("reporting", _("We report results on time and act on the feedback we receive."), ""),
                ("agreements-kept", _("We do what we agreed, or explain early why we cannot."), ""),
            ],
        ),
        (
            "responsible",
            _("Responsible"),
            [
                (
                    "do-no-harm",
                    _("We think through possible harm to patients, staff and communities before acting."),
                    "",
                ),
                (
                    "ethics",
                    _("Research, data and photographs are handled with consent and proper approval."),
                    "",
                ),
                ("workload", _("The partnership does not take staff away from patients without cover."), ""),
                (
                    "safeguarding",
                    _("Safeguarding and conduct rules are known to every visitor and host."),
                    "",
                ),
            ],
        ),
        (
            "flexible",
            _("Flexible, resourceful and innovative"),
            [
                (
                    "adapts",
                    _("We adapt plans when circumstances change (staff turnover, outbreaks, funding)."),
                    "",
                ),
                ("frugal", _("We look for low-cost solutions that suit local conditions."), ""),
                ("new-ideas", _("New ideas from either side are tried out and reviewed."), ""),
                ("remote", _("We keep working between visits, remotely if need be."), ""),
            ],
        ),
        (
            "joint-learning",
            _("Committed to joint learning"),
            [
                ("reflect", _("We set time aside to reflect together on what is and is not working."), ""),
                (
                    "two-way",
                    _("Learning flows in both directions, and we record what each side learned."),
                    "",
                ),
                ("share-out", _("We share what we learn with others beyond the partnership."), ""),
                ("evidence", _("Our decisions draw on data we collect together."), ""),
            ],
        ),
        (
            "equity",
            _("Equity and inclusion"),
            [
                (
                    "who-benefits",
                    _("We know which groups of patients and staff benefit and who is left out."),
                    "",
                ),
                ("gender", _("Women and men have equal chances to take part, train and lead."), ""),
                ("junior-voices", _("Junior staff and students are heard, not only senior staff."), ""),
                ("access", _("Our work makes care easier to reach for people who find it hardest."), ""),
            ],
        ),
        (
            "climate",
            _("Climate and environment"),
            [
                (
                    "travel",
                    _("We weigh the need for each trip against remote alternatives and its carbon cost."),
                    "",
                ),
                ("waste", _("What we introduce keeps waste, energy use and harmful materials low."), ""),
                (
                    "resilience",
                    _("We consider how heat, floods or other climate risks affect the services we support."),
                    "",
                ),
                (
                    "local-supply",
                    _("We prefer equipment and supplies that can be sourced and repaired locally."),
                    "",
                ),
            ],
        ),
    ],
}

SUSTAINABILITY = {
    "code": "sustainability-capacity",
    "name": _("Sustainability capacity assessment"),
    "kind": "sustainability",
    "description": (
        _(
            "How far the work the partnership supports has what it needs to last: eight domains of capacity, each "
            "rated by both sides."
        )
    ),
    "scale": EXTENT_7,
    "not_applicable": True,
    "sections": [
        (
            "environmental-support",
            _("Environmental support"),
            [
                ("champions", _("The work has champions among the host institution's leaders."), ""),
                ("policy", _("Local or national policy supports the work."), ""),
                (
                    "community-backing",
                    _("Patients and the community value the work and speak up for it."),
                    "",
                ),
                (
                    "public-leaders",
                    _("Health officials outside the institution know the work and back it."),
                    "",
                ),
            ],
        ),
        (
            "funding-stability",
            _("Funding stability"),
            [
                (
                    "budget-line",
                    _("The work has a line in a budget that does not depend on this partnership."),
                    "",
                ),
                ("several-sources", _("The work draws on more than one source of funding."), ""),
                ("planned-costs", _("Its running costs are known and planned for the coming years."), ""),
                ("consistent", _("Its funding has been steady over the past two years."), ""),
            ],
        ),
        (
            "partnerships",
            _("Partnerships"),
            [
                ("local-partners", _("Local organisations take part in running the work."), ""),
                ("community-involved", _("Community representatives help decide how the work is done."), ""),
                ("other-institutions", _("Other institutions have adopted or support the work."), ""),
                ("leaders-engaged", _("Leaders outside health (local government, schools) are engaged."), ""),
            ],
        ),
        (
            "organisational-capacity",
            _("Organisational capacity"),
            [
                ("staff", _("There are enough trained staff to run the work without visitors."), ""),
                ("integrated", _("The work is part of the institution's routine, not a side project."), ""),
                (
                    "leadership",
                    _("Someone at the host institution is responsible for it, with time to do so."),
                    "",
                ),
                (
                    "turnover",
                    _("Knowledge survives when staff leave (handover notes, training of newcomers)."),
                    "",
                ),
            ],
        ),
        (
            "evaluation",
            _("Evaluation"),
            [
                (
                    "data-collected",
                    _("Data on the work are collected routinely by the host institution."),
                    "",
                ),
                ("data-used", _("The data are used to improve the work."), ""),
                ("results-shown", _("Results are reported to those who fund and decide."), ""),
                ("quality", _("There is a way to check that quality is kept up over time."), ""),
            ],
        ),
        (
            "adaptation",
            _("Adaptation"),
            [
                ("reviewed", _("The work is reviewed regularly and changed when needed."), ""),
                (
                    "fits-context",
                    _("It has been adapted to local conditions rather than copied as designed elsewhere."),
                    "",
                ),
                ("new-evidence", _("It takes up new evidence and guidelines."), ""),
                ("ineffective-dropped", _("Parts that do not work are stopped."), ""),
            ],
        ),
        (
            "communications",
            _("Communications"),
            [
                ("story", _("There is a clear, simple account of what the work achieves."), ""),
                ("audiences", _("The work is presented to decision-makers and the public."), ""),
                ("visible", _("Staff across the institution know about the work."), ""),
                ("feedback", _("Those who use the service can say what they think of it."), ""),
            ],
        ),
        (
            "strategic-planning",
            _("Strategic planning"),
            [
                ("long-term-plan", _("There is a written plan for the work beyond the funding period."), ""),
                ("goals", _("The plan has goals that those running the work agree with."), ""),
                ("roles", _("The plan says who does what once the partnership's funding ends."), ""),
                ("risks", _("The main risks to the work are known and someone is watching them."), ""),
            ],
        ),
    ],
}

READINESS = {
    "code": "transition-readiness",
    "name": _("Transition-readiness scorecard"),
    "kind": "readiness",
    "description": (
        _(
            "Whether the host side is ready to carry the work on its own after the funding period: four domains, each "
            "rated from 'not started' to 'fully in place'."
        )
    ),
    "scale": READY_5,
    "not_applicable": False,
    "sections": [
        (
            "leadership",
            _("Leadership and governance"),
            [
                ("owner", _("A named leader at the host institution owns the work and its results."), ""),
                ("governance", _("A committee or board that meets regularly oversees the work."), ""),
                (
                    "ministry-role",
                    _("The ministry or local authority has agreed its role after the transition."),
                    "",
                ),
                ("decisions-local", _("Decisions about the work are already taken by the host side."), ""),
                ("succession", _("A deputy could take over if the leader left."), ""),
            ],
        ),
        (
            "financing",
            _("Financing"),
            [
                ("costed", _("The costs of continuing the work are known."), ""),
                (
                    "committed",
                    _("Funds for the next year are committed from sources other than this programme."),
                    "",
                ),
                ("budget-process", _("The work is part of the institution's yearly budget process."), ""),
                ("gap-plan", _("There is a plan for any remaining funding gap."), ""),
                ("in-kind", _("Supplies and equipment can be replaced without the resource partner."), ""),
            ],
        ),
        (
            "programme-management",
            _("Programme management"),
            [
                ("plan", _("A work plan for after the transition exists and is in use."), ""),
                ("monitoring", _("The host side collects and reviews the indicators itself."), ""),
                ("procurement", _("The host side handles procurement and logistics for the work."), ""),
                ("reporting", _("The host side reports on the work to its own management."), ""),
                (
                    "records",
                    _("Key documents (protocols, curricula, contacts) are held by the host side."),
                    "",
                ),
            ],
        ),
        (
            "service-delivery",
            _("Service delivery"),
            [
                ("staffed", _("The service is staffed by host staff without visiting support."), ""),
                ("standards", _("Protocols and quality standards are written and followed."), ""),
                ("training-local", _("New staff are trained by local trainers."), ""),
                ("supplies", _("Essential supplies and equipment are available most of the time."), ""),
                ("demand", _("Patients use the service at the level planned."), ""),
            ],
        ),
    ],
}

INSTRUMENTS = [HEALTH_CHECK, SUSTAINABILITY, READINESS]


def load(apps, schema_editor):
    Instrument = apps.get_model("sustainability", "Instrument")
    InstrumentVersion = apps.get_model("sustainability", "InstrumentVersion")
    Section = apps.get_model("sustainability", "Section")
    Item = apps.get_model("sustainability", "Item")
    for data in INSTRUMENTS:
        instrument = Instrument.objects.create(
            programme=None,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
        )
        version = InstrumentVersion.objects.create(instrument=instrument, number=1)
        low, high, labels = data["scale"]
        for s_order, (s_code, title, items) in enumerate(data["sections"], start=1):
            section = Section.objects.create(version=version, code=s_code, title=title, order=s_order)
            Item.objects.bulk_create(
                Item(
                    section=section,
                    code=code,
                    statement=statement,
                    guidance=guidance,
                    scale_min=low,
                    scale_max=high,
                    scale_labels=list(labels),
                    allows_not_applicable=data["not_applicable"],
                    order=order,
                )
                for order, (code, statement, guidance) in enumerate(items, start=1)
            )


def unload(apps, schema_editor):
    Instrument = apps.get_model("sustainability", "Instrument")
    codes = [data["code"] for data in INSTRUMENTS]
    Instrument.objects.filter(programme__isnull=True, code__in=codes, versions__rounds__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sustainability", "0001_assessment_instruments_and_rounds")]

    operations = [migrations.RunPython(load, unload)]
