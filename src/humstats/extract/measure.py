"""Stock or flow: is a figure a running total, or new in a stated window?

A count "as of" a date or "to date" ("has left 500,000 dead", "home to 2 million", "the death
toll rose to 58") is a stock; one bound to a window or an event ("newly displaced", "killed on
Monday", "in the past week", "in Saturday's quake", "killed in a drone attack") is a flow.
The figure's own clause decides first: stock words, then "another", "an additional", "N more",
"newly" (new on top of an earlier count: a flow), then a crisis start ("since the war began",
"since 7 October": a stock even where the sentence also gives a window for another count).
People where they are ("in shelters on Friday", "staying in evacuation centres") are a stock
dated by the day named. Then the sentence: a window (``dates`` decides whether "since <date>"
opens one), an incident the count is tied to, else a stock.

A toll (killed, injured, missing) follows RULES.md's one rule for an incident's toll: what
kind of event is the subject of its verb decides where no window or running total does. A
hazard or fighting ("the storm left 32 dead", "Typhoon Yagi has killed 233") gives its toll to
date, a stock; an attack or attackers in the simple past ("The strike killed six", "Gunmen
killed 29") tell what one act did, a flow; a crisis that lasts (an outbreak, a war) is never
one incident.
"""

from __future__ import annotations

import re

from humstats.extract.dates import TextPeriod
from humstats.extract.indicators import Folded, alternation
from humstats.extract.numbers import Quantity
from humstats.schema import Indicator, Measure

_FLOW_PHRASES = [
    "newly",
    "freshly",
    "new arrivals",
    "new (?:internal )?displacements",
    "new cases",
    "fresh",
    "in the week after",
    "in the days after",
    "in a single day",
    "in one day",
    "overnight",
    r"over the (?:[\w'’-]+ )?weekend",  # "over the holiday weekend"
    "at the weekend",
    "this weekend",
    "capsized",
    "capsizing",
    "shipwreck",
    "plunged",
    "collapsed",
    "crashed",
    "explosions?",
    "blasts?",
    "stampede",
    "earthquakes?",
    "quake",
    # a count tied to one incident by its preposition: "killed in a drone attack", "in an
    # ambush near Jowhar", "in attack on market"; an incident that is only the subject ("the
    # storm left 32 dead", "Cyclone Chido killed 120") gives its toll to date, a stock (the
    # dev set's convention)
    r"(?:in|during) (?:(?:an?|the|this|that|last|[\w]+(?:'s|’s)) )?(?:[\w'’-]+ ){0,3}?(?:attacks?|"
    r"strikes?|airstrikes?|raids?|quake|earthquake|blasts?|explosions?|ambush|assault|shelling|"
    r"bombings?|stampede|crash|collapse|mudslides?|landslides?|fire|blaze|massacre|sinking|"
    r"shooting)",
    # fighting as one episode: "killed in fighting", "wounded during the clashes"
    r"(?:in|during) (?:the )?(?:(?:renewed|heavy|fierce|fresh|recent) )?(?:fighting|clashes|"
    r"gunfire|crossfire)",
    r"in the first (?:\w+ )?(?:days?|weeks?|months?|half|quarter) of",
    # a duration with no anchor date: "in a single week", "in just four days", "in recent days"
    r"(?:in|within|over) (?:a single|just|only|barely|less than|under) (?:an? |one |two |three |"
    r"four |five |six |seven |ten |\d+ )?(?:days?|weeks?|hours?|fortnight)",
    r"in (?:two|three|four|five|six|seven|eight|nine|ten|\d+) (?:days|weeks|hours)",
    # a duration with a hedge: "in almost two weeks", "in just over a week"
    r"in (?:(?:almost|nearly|about|around|roughly|just|only|barely|over|under|more than|less than)"
    r" )+(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+) (?:days?|weeks?|months?|"
    r"hours?|fortnight)",
    # a window from the report before: "since the last situation update"
    r"since (?:the|our|its|their) (?:last|previous|latest) (?:[\w-]+ )?(?:update|report|bulletin|"
    r"briefing|sitrep)",
    r"in (?:a|one) (?:single )?(?:day|week|fortnight)",
    r"(?:in|over) (?:recent|the past few|the last few|the following) (?:days|weeks|hours)",
    r"over the (?:course of the )?(?:year|month|week)",
    # one incident named by a clause: "drowned when the ferry capsized", "after two
    # landslides buried a village"
    r"(?:when|after) (?:the|a|an|its|their) (?:[\w'’-]+ ){0,3}?(?:burst|collapsed|capsized|sank|"
    r"struck|exploded|overturned|crashed|erupted|caught fire|opened fire|stormed|went down)",
    r"after (?:the|a|an|two|three|several|twin) (?:[\w'’-]+ ){0,2}?(?:landslides?|mudslides?|"
    r"explosions?|blasts?|airstrikes?|air strikes?|missile strikes?|bombings?|ambush|massacre)",
    r"during (?:the|an?|this|last|that)\s+(?:[\w'’-]+\s+){0,3}?(?:offensive|attacks?|assault|raid|"
    r"ambush|clashes|bombardment|strikes?|shelling|incursion|operation)",
]
_NEW_WORDS = Folded.compile(
    r"\b(?:newly|freshly|additionally|new\s+arrivals|new\s+(?:internal\s+)?displacements)\b",
    ("new", "freshly", "additionally"),
)
"""New in the window the text reports on, even in a sentence counting since a crisis began."""
_FLOW_WORDS = Folded.compile(rf"\b(?:{alternation(_FLOW_PHRASES)})\b")
"""Words that tie a count to a window or an event, anywhere in its sentence."""
_STOCK_PHRASES = [
    "death toll",
    "toll",
    "have left",
    "has left",
    "home to",
    "already",
    "still",
    "currently",
    "remain",
    "remains",
    "remained",
    "now",
    "in total",
    "cumulative",
    "total of",
    # "bringing the total since April 2023 to 912,000"
    "(?:the|its|their) (?:overall |cumulative |running )?(?:total|tally)",
    "so far in the (?:war|conflict)",
    r"(?:has|have|had) so far",
]
_STOCK_WORDS = Folded.compile(
    rf"\b(?:{alternation(_STOCK_PHRASES)})\b",
    # what each phrase holds, plain: "death toll" holds "toll", "(the|its) ... tally" "tally"
    (
        "toll",
        "have left",
        "has left",
        "home to",
        "already",
        "still",
        "currently",
        "remain",
        "now",
        "total",
        "cumulative",
        "tally",
        "so far",
    ),
)
"""Words that make a count a running total, in its own clause."""
_NEW_SUBJECT = re.compile(r"\s(?:and|but|while)\s+(?:the|its|their|this)\s", re.I)
"""After a count, a clause with a subject of its own ("at least 15 people were killed and the
toll may rise"): its words tell that subject, not the count."""
_STOCK_BEFORE = Folded.compile(
    r"\b(?:rose to|risen to|has risen to|climbed to|reached|stood at|stands at|now at|"
    r"fell to|fallen to|numbered|number|population of)\s*$"
)
_RISE_TO = re.compile(
    r"\b(?:rose|risen|rising|rises|climbed|climbing|climbs|soared|soaring|soars|surged|surging|"
    r"surges|jumped|jumps|increased|increases|grew|grown|grows|swelled|swollen|mounted|raised|"
    r"raising|went up|gone up|lowered|lowering|revised|revising|reduced|reducing|corrected|"
    r"adjusted|updated|dropped|dropping|decreased|declined)\b[^.;:\n\d]{0,100}?(?:\d+\s*(?:%|per\s?cent|percent)[^.;:\n\d]"
    r"{0,60}?)?\bto\s*$",
    re.I,
)
"""A count a total rose to, however the rise is told ("soared to", "increased four percent
between August and September to"), or was revised to ("lowered the figure to 7"): the new
level, a stock. Search it with ``rise_to``."""
_BRING_TO = re.compile(
    r"\b(?:bringing|brings|brought|taking|takes|took|pushing|pushes|pushed|lifting|lifts|lifted)"
    r"\s+(?:the|its|their|this|that)\s+[^.;:\n\d]{0,80}?\b(?:total|toll|number|tally|count|figure)"
    r"\b[^.;:\n\d]{0,60}?\bto\s*$",
    re.I,
)
"""A count a total was brought to ("bringing the regional total to 542,000", "taking the number
of people displaced in the region to 255,000"): the new level, a stock, unless new counts
are what it totals ("bringing the number of new arrivals this year to 26,750")."""


def rise_to(masked: str, start: int, end: int) -> re.Match[str] | None:
    """``_RISE_TO`` in ``masked[start:end]``, searched only where the span ends with "to" (as
    every match does): most counts have none before them, and the pattern, opening with a
    word boundary, would be tried at every position of the span."""
    if masked[start:end].rstrip()[-2:].lower() != "to":
        return None
    return _RISE_TO.search(masked, start, end)


_NEW_BEFORE = Folded.compile(
    r"\b(?:an?\s+)?(?:additional|another|further|extra|fresh|new"
    r"|(?:increase|rise|jump|surge|increment)\s+of)\s*$"
)
_NEW_AFTER = re.compile(r"\s+(?:more|additional|further|newly|new)\b(?!\s+than\b)", re.I)
""""another 900", "an additional 15,000", "1,200 more", "318 new cholera cases": counted on
top of an earlier total, so new in the window the text reports on."""


def increment(masked: str, q: Quantity, lower: int, upper: int) -> bool:
    """Whether ``q`` is counted on top of an earlier total ("another 900", "1,200 more"): a
    flow, though not the toll a passage tells (that is the total it adds to)."""
    return bool(
        _NEW_BEFORE.search(masked, max(lower, q.hedge_start - 20), q.hedge_start)
        or _NEW_AFTER.match(masked, q.end, upper)
    )


SINCE_EVENT = re.compile(r"\bsince\b[^,.;]{0,60}$", re.I)
"""Just before a date: the date starts a running count ("since the war began in April 2023")."""

STATES = {Indicator.IN_NEED, Indicator.FOOD_INSECURE, Indicator.POPULATION}
"""Conditions, not events: a year, month or incident dates them ("in need in 2024", "the
village's 2,500 residents died when the dam burst"), never makes a flow."""


_STATE = Folded.compile(
    r"\b(?:are|is|were|was|remain(?:s|ed)?)\s+(?:(?:now|still|currently|temporarily)\s+)?"
    r"(?:(?:sheltering|staying|living|housed|accommodated|camping)\b|in\s+(?:[\w-]+\s+){0,2}?"
    r"(?:shelters?|evacuation|camps?|sites?|centres?|centers?|tents?|schools?)\b)"
    r"|\b(?:live|living|sheltering|staying|camping)\s+in\b"
)
"""Where people are, not how they got there ("are in shelters on Friday", "are staying in
evacuation centres", "living in makeshift sites"): a state, counted as of its date."""
_SINCE_CRISIS = Folded.compile(
    r"\bsince\s+(?:(?:the|its|their|a|an)\s+(?:[\w'’-]+\s+){0,5}?(?:began|begun|started|erupted|"
    r"broke\s+out|was\s+declared|were\s+declared|escalated|intensified|resumed)\b"
    r"|the\s+(?:start|onset|beginning|outbreak|eruption|escalation)\s+of\s+"
    r"(?!(?:the|this)\s+(?:year|month|week)\b|(?:19|20)\d\d\b|(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|oct|nov|dec)[a-z]*\b)"
    r"|the\s+(?:war|conflict|crisis|outbreak|epidemic|hostilities|escalation|"
    r"(?:full-scale\s+)?invasion|coup|takeover)\b)",
    ("since",),
)
"""A count since a crisis began ("since the war began", "since the start of the outbreak"):
a running total, whatever event words the sentence holds."""
_WITH = re.compile(r"\s*with\b", re.I)
_TOLL = re.compile(r"\btoll\b", re.I)
"""A count in a "with ..." phrase of a sentence about a toll ("With over 2,000 people dead
and more than 12,000 injured, the toll continues to rise") is that toll: a stock, whatever
event or day the sentence names."""
_TODAY = re.compile(r"today", re.I)
"""In a dated release, "today" outside a count's clause ("In Peru today, the UN redirected
$3 million to protect 140,000 people impacted by El Niño") dates what the source did, not a
window the count is new in."""
_FLOW_CLAUSE = Folded.compile(r"\b(?:evacuated|evacuation|evacuating)\b", ("evacuat",))
_BODIES = re.compile(r"\s+(?:more\s+|other\s+|further\s+)?(?:bodies|corpses)\b", re.I)
_BODIES_OF = re.compile(r"\b(?:bodies|corpses|remains)\s+of\s+$", re.I)
_RECOVERED_STEMS = ("recover", "retriev", "found", "find", "pull", "exhum", "wash", "discover")
_RECOVERED = Folded.compile(
    rf"\b(?:{'|'.join(_RECOVERED_STEMS)}|dug|dig)", (*_RECOVERED_STEMS, "dug", "dig")
)
"""The dead a search brought out ("34 bodies have been recovered", "pulled 12 bodies from
the rubble", "recovered the bodies of seven people"): what one recovery found, not a toll to
date."""
_CLAUSE_COMMA = re.compile(r",(?!\s*\d{4}\b)")


def clause_start(masked: str, lower: int, position: int) -> int:
    """Just after the last comma before ``position`` (a date's "7, 2023" comma excepted)."""
    start = lower
    for match in _CLAUSE_COMMA.finditer(masked, lower, position):
        start = match.end()
    return start


_PERFECT_OR_PRESENT = re.compile(
    r"\b(?:has|have|’ve|'ve|is|are|remain|remains|hosts?|lives?|needs?|faces?|shows?|stands?|"
    r"now|currently|still)\b",
    re.I,
)
_PAST = re.compile(
    r"\b(?:was|were|fled|left|shot|took|drove|struck|hit|swept|fell|tore|sank|found|"
    r"(?!(?:reported|estimated|recorded|counted|documented|confirmed|registered|added|noted|"
    r"warned|announced|stated|verified|published|updated|based|armed|related|suspected|named|"
    r"called|united|expected|projected|displaced)\b)\w{2,}ed)\b",
    re.I,
)


def continues_incident(
    masked: str, sentence: tuple[int, int], q: Quantity, upper: int, previous: TextPeriod | None
) -> bool:
    """ "At least 42 civilians were killed in overnight attacks. Patrols had found 19 bodies
    in Ngotshi and 23 in Pimbo.": a count told in the past tense, after a flow dated to one
    incident (a day or a weekend) in its own sentence or the one before, with no period of
    its own, is more of that incident. A present or perfect verb ("are displaced", "have
    fled"), a stock word or a place people stay in makes it a count of its own."""
    if previous is None or not previous.flow or (previous.end - previous.start).days > 3:
        return False
    comma = masked.find(",", q.end, upper)
    end = upper if comma < 0 else comma
    return (
        not _PERFECT_OR_PRESENT.search(masked, sentence[0], end)
        and not _STOCK_WORDS.search(masked, sentence[0], end)
        and not _STATE.search(masked, sentence[0], end)
        and _PAST.search(masked, _verb_clause(masked, sentence[0], q), end) is not None
    )


_PARTICIPLE = re.compile(r"\s*\w+ing\b")


def _verb_clause(masked: str, lower: int, q: Quantity) -> int:
    """Where the verb of ``q``'s clause is looked for: its own clause, or the one before when
    its clause is a participle's ("a missile hit a cafe, wounding 23": "hit" tells)."""
    start = clause_start(masked, lower, q.hedge_start)
    if start > lower and _PARTICIPLE.match(masked, start, q.hedge_start):
        return clause_start(masked, lower, start - 1)
    return start


def measure_of(
    text: str,
    masked: str,
    sentence: tuple[int, int],
    q: Quantity,
    lower: int,
    upper: int,
    periods: list[TextPeriod],
    indicator: Indicator,
    scope: tuple[int, int] | None = None,
) -> Measure | None:
    """Stock or flow for the count ``q`` whose window is ``masked[lower:upper]``, or None for
    a toll its sentence tells nothing of (no window, running total, incident or day): such a
    bare count takes the measure of the toll its passage tells (RULES.md, step 6), which only
    the document knows.

    ``periods`` are the reference periods near it; for a state (in need, food insecure,
    population) a period dates the figure but never makes it a flow. ``scope`` is the part of
    the sentence whose event words may tell it (``sentence_scope``), the whole by default.
    """
    start = clause_start(masked, lower, q.hedge_start)
    comma = masked.find(",", q.end, upper)
    end = upper if comma < 0 else comma
    joined = _NEW_SUBJECT.search(masked, q.end, end)
    if (
        _STOCK_WORDS.search(masked, start, end if joined is None else joined.start())
        or _STOCK_BEFORE.search(masked, max(lower, q.hedge_start - 25), q.hedge_start)
        or rise_to(masked, max(sentence[0], q.hedge_start - 150), q.hedge_start)
    ):
        return Measure.STOCK
    if increment(masked, q, lower, upper):
        return Measure.FLOW
    if indicator in STATES:
        return Measure.STOCK  # a condition at a date: an incident or window near it dates it
    clause = clause_start(masked, sentence[0], q.hedge_start)  # not cut at the count before
    if _WITH.match(masked, clause, q.hedge_start) and _TOLL.search(masked, *sentence):
        return Measure.STOCK  # "the toll climbed on Sunday, with at least 724 dead": the toll
    if _NEW_WORDS.search(masked, start, end):
        return Measure.FLOW
    if masked[start : q.hedge_start].rstrip().endswith("to") and _BRING_TO.search(
        masked, start, q.hedge_start
    ):
        return Measure.STOCK  # "bringing the regional total to 542,000", a window before or not
    if _SINCE_CRISIS.search(masked, start, end) or any(
        not p.flow and not p.as_of and start <= p.span[0] < end for p in periods
    ):
        return Measure.STOCK  # its own clause counts since a crisis began
    if _STATE.search(masked, start, end):
        return Measure.STOCK  # where people are on a date, not how they got there
    flows = [
        p
        for p in periods
        if p.flow
        and not SINCE_EVENT.search(text, max(sentence[0], p.span[0] - 60), p.span[0])
        and (start <= p.span[0] < end or not _TODAY.fullmatch(text, *p.span))
    ]
    if flows:
        return Measure.FLOW
    if any(not p.flow for p in periods) or _SINCE_CRISIS.search(text, *sentence):
        return Measure.STOCK  # counted since a crisis began: a running total
    if indicator in TOLL:
        if _incident_outcome(masked, sentence[0], q):
            return Measure.FLOW
        clause = _INCIDENT_CLAUSE.search(masked, *sentence)
        kind = toll_subject(masked, sentence[0], q)
        if kind == "hazard" and (clause is None or clause.start() < q.start):
            # "the storm left 32 dead"; "declared an emergency after rains caused landslides
            # that left 26 dead": the clause is the hazard's own, not the count's
            return Measure.STOCK
        if clause is not None or kind == "act":
            return Measure.FLOW
    if _FLOW_WORDS.search(text, *(scope or sentence)) or _FLOW_CLAUSE.search(masked, start, end):
        return Measure.FLOW
    if indicator in TOLL and (
        (_BODIES.match(masked, q.end) or _BODIES_OF.search(masked, start, q.hedge_start))
        and _RECOVERED.search(masked, start, end)
    ):
        return Measure.FLOW
    if indicator in TOLL and _after_dated_incident(text, masked, sentence, start, end):
        return Measure.FLOW
    if (
        indicator in TOLL
        and not any(p.flow for p in periods)
        and not _SINCE.search(masked, start, end)
    ):
        return None  # a bare toll: the passage's
    return Measure.STOCK  # "since the armed attack in February 2022": counted since


_SINCE = re.compile(r"\bsince\b", re.I)
"""In a toll's own clause, a start it counts from, whether or not a date is read in it ("have
been killed since last October"): a running total, told by its own sentence."""


def sentence_scope(
    masked: str, sentence: tuple[int, int], counts: list[Quantity], q: Quantity
) -> tuple[int, int]:
    """The part of ``q``'s sentence whose event words may tell its measure: not the clause of
    a count before it ("The number of deaths caused by the earthquake reached 2,122, and the
    number of injured was 2,421"): the event there is that count's. Words after ``q`` stay
    (in "12 killed, 30 injured in attack on market" they tell both)."""
    s0, s1 = sentence
    own = clause_start(masked, s0, q.hedge_start)
    left = s0
    for other in counts:
        if other is q:
            continue
        if other.end <= own:
            closing = masked.find(",", other.end, own)
            if closing >= 0:
                left = max(left, closing)
    return left, s1


_DAY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|overnight|yesterday|"
    r"last\s+night)\b",
    re.I,
)
_SAID_ON = re.compile(
    r"\b(?:(?:said|says|told|reported|announced|added|stated|confirmed|reports)\s+(?:\w+\s+){0,2}"
    r"(?:on\s+|late\s+|early\s+)*|since\s+(?:\w+\s+){0,2})$",
    re.I,
)


def _after_dated_incident(
    text: str, masked: str, sentence: tuple[int, int], start: int, end: int
) -> bool:
    """ "A fire tore through the camp on Sunday. Two people died in the camp.": a bare toll
    in the past tense, in the sentence right after one that tells a dated incident (a day,
    "overnight"; not the day a source spoke, nor "since Sunday's floods", which starts a running
    count), is more of that incident (RULES.md, step 6)."""
    if _PERFECT_OR_PRESENT.search(masked, start, end):
        return False
    before = text.rfind("\n", max(0, sentence[0] - 400), sentence[0] - 1)
    stop = text.rfind(". ", max(0, sentence[0] - 400), sentence[0] - 2)
    lower = max(before, stop + 1, max(0, sentence[0] - 400))
    for day in _DAY.finditer(text, lower, sentence[0]):
        if not _SAID_ON.search(text, max(lower, day.start() - 40), day.start()):
            return _PAST.search(text, lower, day.start()) is not None
    return False


TOLL = {Indicator.KILLED, Indicator.INJURED, Indicator.MISSING}

# What kind of event a toll belongs to (RULES.md, "An incident's toll"). A hazard, or an episode
# of fighting, that is the subject of its toll gives its toll to date; an attack, or attackers,
# in the simple past tell what one act did.
_HAZARDS = [
    r"(?:tropical\s+)?(?:storms?|cyclones?|hurricanes?|typhoons?|depressions?)",
    r"(?:earth)?quakes?|tremors?|aftershocks?|tsunamis?|eruptions?",
    r"(?:flash\s+)?floods?|flooding|floodwaters?|deluges?|downpours?|rains?|rainfall|monsoon",
    r"landslides?|mudslides?|landslips?|slides?|avalanches?|winds?|heatwaves?|heat",
    r"fires?|blazes?|wildfires?|bushfires?|fighting|clashes|hostilities",
]
_ACTS = [
    r"attacks?|(?:air\s*|drone\s+|missile\s+)?strikes?|raids?|ambush(?:es)?|shelling|bombardments?",
    r"(?:car\s+|suicide\s+)?bomb(?:s|ings?|ers?)?|blasts?|explosions?|shootings?|gunfire|massacres?",
    r"missiles?|rockets?|drones?|shells?|mortars?|grenades?",
    r"gunmen|militants|militia(?:men|s)?|jihadists|insurgents|rebels|bandits|fighters|assailants",
    r"attackers|(?:armed|masked|unknown)\s+men|gangs?|gang\s+members|soldiers|troops|snipers?",
    r"police|policemen|officers",
]
_SUBJECT = Folded.compile(rf"\b(?:(?P<hazard>{'|'.join(_HAZARDS)})|(?P<act>{'|'.join(_ACTS)}))\b")
_TOLL_VERB = re.compile(
    r"\b(?P<aux>(?:has|have|had|'ve|’ve)\s+(?:now\s+|so\s+far\s+|already\s+|also\s+)?)?"
    r"(?:killed|left|claimed(?:\s+the\s+lives\s+of)?|cost|injured|wounded|maimed|slew|"
    r"shot(?:\s+dead)?|took\s+the\s+lives\s+of)\b",
    re.I,
)
_DATED_BEFORE = re.compile(
    r"\b(?:(?:jan|febr)uary|march|april|may|june|july|august|(?:sept|nov|dec)ember|october|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|overnight|weekend|"
    r"last\s+(?:week|month|night))(?:'s|’s)?\s+(?:(?!that\b)[\w-]+\s+){0,2}$",
    re.I,
)
_SUBJECT_GAP = re.compile(
    r"[.;:!?]|,\s*(?:who|which|while|and|but)\b|\b(?:was|were|been|be|being|is|are)\s*$", re.I
)
"""Between a noun and the toll verb: a sentence or clause break, or a passive ("17 soldiers
were killed": the noun is the victims, not the subject)."""


def toll_subject(masked: str, lower: int, q: Quantity) -> str | None:
    """What the subject of the toll verb before ``q`` is: "hazard" ("Typhoon Yagi has killed
    233", "the quake left 14 dead, and 200 were injured"), "act" ("The strike killed six",
    "Gunmen killed 29 villagers and wounded 12"; only in the simple past: "the militia has
    killed 340" is a running toll), or None. The subject is the last hazard or act noun in
    the words before the verb, with no sentence break between."""
    head = max(lower, q.hedge_start - 200)
    verbs = list(_TOLL_VERB.finditer(masked, head, q.hedge_start))
    if not verbs:
        return None
    verb = verbs[-1]
    gap_start = max(head, verb.start() - 90)
    nouns = list(_SUBJECT.finditer(masked, gap_start, verb.start()))
    if not nouns:
        return None
    noun = nouns[-1]
    between = masked[noun.end() : verb.start()]
    if _SUBJECT_GAP.search(between):
        return None
    if noun.group("hazard"):
        # a hazard dated by its own name ("the October earthquakes", "Friday's quake") is one
        # dated incident, told as what it did
        dated = _DATED_BEFORE.search(masked, max(lower, noun.start() - 30), noun.start())
        return "act" if dated else "hazard"
    return None if verb.group("aux") else "act"


_INCIDENT_CLAUSE = Folded.compile(
    r"\b(?:when|after)\s+(?:(?:the|a|an|its|their|two|three|several)\s+)?"
    r"(?:(?!(?:was|were|is|are|has|have|had|been)\b)[\w'’-]+\s+){0,3}?(?:burst|sank|struck|hit|"
    r"swept|tore|fell|slid|broke|blew\s+up|made\s+landfall|went\s+down|gave\s+way|shook|ran\s+over|"
    r"(?!(?:reported|estimated|recorded|counted|documented|confirmed|registered|announced|"
    r"stated|verified|published|updated|declared|expected|projected|failed|asked|contacted|"
    r"interviewed|reached|released|issued|appealed|warned|added|noted|emerged|started|"
    r"began|ended|launched|finished|completed)\b)[a-z]{2,}ed)\b",
    ("when", "after"),
)
"""A toll told as what one incident did ("died after a cyclone slammed into Bangladesh",
"drowned when their boat overturned"): any verb in the past, not one of reporting and not
after an auxiliary ("after the outbreak was declared" starts a running count)."""


_PROTRACTED = re.compile(
    r"\b(?:outbreaks?|epidemics?|pandemic|war|conflict|insurgency|occupation|drought|famine)\b",
    re.I,
)
"""A crisis that lasts, not one incident (RULES.md): "an outbreak ... infected 11, killing
six" is its toll to date, not what one act did."""
_OUTCOME = re.compile(
    r"\s*(?!(?:bringing|raising|taking|pushing|lifting|putting|making|adding)\b)[a-z]+ing\b"
)


def _incident_outcome(masked: str, lower: int, q: Quantity) -> bool:
    """ "Gunmen attacked a village on Wednesday, killing at least 40 people", "a hillside slid
    onto the town, burying homes and leaving 25 dead": a count in a participle's clause after
    a verb in the simple past is what that one incident did, new in it (RULES: a count bound
    to one incident is a flow). A perfect or present verb ("Fighting has intensified, killing
    ...") tells a running toll instead, and "bringing the toll to" carries a total."""
    start = clause_start(masked, lower, q.hedge_start)
    if start <= lower or not _OUTCOME.match(masked, start, q.hedge_start):
        return False
    for _ in range(3):  # the verb may stand some commas back ("attacked a village in Borno,
        # Nigeria, killing ...")
        before = clause_start(masked, lower, start - 1)
        if _PERFECT_OR_PRESENT.search(masked, before, start) or _PROTRACTED.search(
            masked, before, start
        ):
            return False
        if _PAST.search(masked, before, start):
            return True
        if before <= lower:
            return False
        start = before
    return False
