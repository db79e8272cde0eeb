"""Built-in instruments for the programme itself: intake, session pulse, final review."""

from __future__ import annotations

from peerlearn.surveys.instruments.kit import (
    AGREE5,
    APPLIED,
    EXCHANGE_KIND,
    YES_NO,
    choices,
    group,
    instrument,
    learned_from_item,
    note,
    q,
    tr,
)
from peerlearn.surveys.xlsform.model import Instrument, Item

__all__ = ["end_review", "intake", "pulse"]

_SHORT = "string-length(.) <= 500"
_SHORT_MSG = tr(
    "Please keep it under 500 characters.",
    "Por favor, use menos de 500 caracteres.",
    "Merci de rester sous 500 caractères.",
)


def intake() -> Instrument:
    """Intake and needs assessment, answered before any matching."""
    # The codes are the roster's (peerlearn.people.choices.ORGANISATION_KIND_CHOICES;
    # tests/intake/test_one_intake.py keeps the two lists equal), so an
    # answer reads the same as a roster column. This module stays Django-free.
    org_kind = choices(
        "org_kind",
        ("ministry", tr("Ministry", "Ministerio", "Ministère")),
        (
            "municipality",
            tr(
                "Municipality or city government",
                "Municipio o gobierno de la ciudad",
                "Commune ou administration municipale",
            ),
        ),
        ("agency", tr("Agency", "Organismo público", "Agence")),
        ("think_tank", tr("Think tank", "Centro de pensamiento", "Groupe de réflexion")),
        (
            "civil_society",
            tr(
                "Civil-society organisation",
                "Organización de la sociedad civil",
                "Organisation de la société civile",
            ),
        ),
        (
            "international",
            tr(
                "International organisation",
                "Organismo internacional",
                "Organisation internationale",
            ),
        ),
        ("other", tr("Other", "Otro", "Autre")),
    )
    kinds = choices(
        "challenge_kind",
        (
            "team",
            tr(
                "Building or leading a team",
                "Formar o dirigir un equipo",
                "Constituer ou diriger une équipe",
            ),
        ),
        (
            "principals",
            tr(
                "Working with political leadership",
                "Trabajar con la conducción política",
                "Travailler avec la direction politique",
            ),
        ),
        (
            "coordination",
            tr(
                "Getting other agencies on board",
                "Sumar a otras instituciones",
                "Rallier d'autres administrations",
            ),
        ),
        (
            "new_entity",
            tr(
                "Setting up a new body or unit",
                "Crear un nuevo organismo o unidad",
                "Créer un nouvel organisme ou service",
            ),
        ),
        (
            "technical",
            tr(
                "A technical or policy question",
                "Una cuestión técnica o de política",
                "Une question technique ou de politique publique",
            ),
        ),
        ("other", tr("Something else", "Otra cosa", "Autre chose")),
    )
    challenge_hint = tr(
        "A problem you are working on now, in one or two sentences.",
        "Un problema en el que trabaja ahora, en una o dos frases.",
        "Un problème sur lequel vous travaillez en ce moment, en une ou deux phrases.",
    )
    items: list[Item] = [
        note(
            "welcome",
            tr(
                "Before you meet anyone, tell us what you are working on. Your answers shape "
                "the topics and the groups.",
                "Antes de conocer a nadie, cuéntenos en qué trabaja. Sus respuestas definen "
                "los temas y los grupos.",
                "Avant toute rencontre, dites-nous sur quoi vous travaillez. Vos réponses "
                "orientent les thèmes et la composition des groupes.",
            ),
        ),
        group(
            "about",
            tr("About your work", "Sobre su trabajo", "Votre travail"),
            [
                q(
                    "text",
                    "role",
                    tr("Your current position", "Su cargo actual", "Votre poste actuel"),
                ),
                q(
                    "select_one org_kind",
                    "org_kind",
                    tr("Where do you work?", "¿Dónde trabaja?", "Où travaillez-vous ?"),
                ),
                q(
                    "integer",
                    "years_in_role",
                    tr(
                        "How many years have you held this position?",
                        "¿Cuántos años lleva en este cargo?",
                        "Depuis combien d'années occupez-vous ce poste ?",
                    ),
                    required=False,
                    constraint=". >= 0 and . <= 60",
                    message=tr(
                        "Enter a number from 0 to 60.",
                        "Escriba un número de 0 a 60.",
                        "Saisissez un nombre entre 0 et 60.",
                    ),
                ),
            ],
        ),
        group(
            "challenges",
            tr("Your challenges", "Sus desafíos", "Vos défis"),
            [
                q(
                    "text",
                    f"challenge_{n}",
                    tr(f"Challenge {n}", f"Desafío {n}", f"Défi {n}"),
                    hint=challenge_hint,
                    constraint=_SHORT,
                    message=_SHORT_MSG,
                )
                for n in (1, 2, 3)
            ]
            + [
                q(
                    "text",
                    "challenge_4",
                    tr(
                        "Another challenge (optional)",
                        "Otro desafío (opcional)",
                        "Un autre défi (facultatif)",
                    ),
                    required=False,
                    constraint=_SHORT,
                    message=_SHORT_MSG,
                ),
                q(
                    "select_multiple challenge_kind",
                    "challenge_kinds",
                    tr(
                        "What kind of problems are these?",
                        "¿Qué tipo de problemas son?",
                        "De quel type de problèmes s'agit-il ?",
                    ),
                    hint=tr(
                        "Choose all that apply.",
                        "Elija todas las que correspondan.",
                        "Cochez toutes les réponses pertinentes.",
                    ),
                ),
            ],
        ),
        group(
            "expectations",
            tr("What you want to learn", "Lo que quiere aprender", "Ce que vous voulez apprendre"),
            [
                q(
                    "text",
                    "learning_expectations",
                    tr(
                        "What do you hope to learn from your peers?",
                        "¿Qué espera aprender de sus pares?",
                        "Qu'espérez-vous apprendre de vos pairs ?",
                    ),
                    constraint=_SHORT,
                    message=_SHORT_MSG,
                ),
                q(
                    "text",
                    "end_product",
                    tr(
                        "What would you like to take home at the end "
                        "(a plan, a draft, a decision)?",
                        "¿Qué le gustaría llevarse al final (un plan, un borrador, una decisión)?",
                        "Que voudriez-vous rapporter à la fin "
                        "(un plan, un projet de texte, une décision) ?",
                    ),
                    required=False,
                ),
                q(
                    "select_one yes_no",
                    "prior_peer_learning",
                    tr(
                        "Have you taken part in peer learning before?",
                        "¿Ha participado antes en aprendizaje entre pares?",
                        "Avez-vous déjà participé à un apprentissage entre pairs ?",
                    ),
                ),
                q(
                    "text",
                    "prior_lesson",
                    tr(
                        "What worked, or did not, that time?",
                        "¿Qué funcionó, o no, aquella vez?",
                        "Qu'est-ce qui a fonctionné, ou non, cette fois-là ?",
                    ),
                    required=False,
                    relevant="${prior_peer_learning} = 'yes'",
                ),
            ],
        ),
    ]
    return instrument(
        "peerlearn_intake", "Intake and needs assessment", "2", items, [org_kind, kinds, YES_NO]
    )


def pulse() -> Instrument:
    """Two-minute pulse at the end of a session (five questions on one screen).

    Then, optional, "who did you learn from, and what?" once per peer
    (version 2; version 1 did not ask it).
    """
    items: list[Item] = [
        group(
            "pulse",
            tr(
                "Two minutes on today's session",
                "Dos minutos sobre la sesión de hoy",
                "Deux minutes sur la séance d'aujourd'hui",
            ),
            [
                q(
                    "select_one agree5",
                    "useful",
                    tr(
                        "Today helped me with my own challenge.",
                        "Hoy avancé en mi propio desafío.",
                        "La séance m'a aidé·e sur mon propre défi.",
                    ),
                    appearance="likert",
                ),
                q(
                    "select_one agree5",
                    "heard",
                    tr(
                        "Everyone in my group had a fair chance to speak.",
                        "Todos en mi grupo pudieron hablar por igual.",
                        "Chacun dans mon groupe a pu s'exprimer équitablement.",
                    ),
                    appearance="likert",
                ),
                q(
                    "select_one yes_no",
                    "will_try",
                    tr(
                        "Am I leaving with something I will try at work?",
                        "¿Me llevo algo que probaré en mi trabajo?",
                        "Est-ce que je repars avec quelque chose à essayer au travail ?",
                    ),
                ),
                q(
                    "text",
                    "what_try",
                    tr("What will you try?", "¿Qué probará?", "Qu'allez-vous essayer ?"),
                    required=False,
                    relevant="${will_try} = 'yes'",
                    constraint="string-length(.) <= 280",
                    message=tr(
                        "At most 280 characters.",
                        "Máximo 280 caracteres.",
                        "280 caractères au maximum.",
                    ),
                ),
                q(
                    "text",
                    "stuck",
                    tr(
                        "Where are you stuck? (optional)",
                        "¿Dónde está atascado? (opcional)",
                        "Où bloquez-vous ? (facultatif)",
                    ),
                    required=False,
                    constraint="string-length(.) <= 280",
                    message=tr(
                        "At most 280 characters.",
                        "Máximo 280 caracteres.",
                        "280 caractères au maximum.",
                    ),
                ),
            ],
            appearance="field-list",
        ),
        # Version 2: whom the respondent learned from (the mutuality ledger's item).
        learned_from_item(),
    ]
    return instrument(
        "peerlearn_pulse", "Session pulse", "2", items, [AGREE5, YES_NO, EXCHANGE_KIND, APPLIED]
    )


def end_review() -> Instrument:
    """End-of-programme review: learning objectives set at the start against what happened."""
    met = choices(
        "met",
        ("fully", tr("Fully achieved", "Logrado por completo", "Pleinement atteint")),
        ("partly", tr("Partly achieved", "Logrado en parte", "Partiellement atteint")),
        ("not", tr("Not achieved", "No logrado", "Non atteint")),
        ("changed", tr("No longer relevant", "Ya no es pertinente", "N'est plus pertinent")),
    )
    direction = choices(
        "direction",
        (
            "from_others",
            tr(
                "Mostly I learned from others",
                "Sobre todo aprendí de los demás",
                "J'ai surtout appris des autres",
            ),
        ),
        (
            "both",
            tr(
                "Learning went both ways",
                "El aprendizaje fue mutuo",
                "L'apprentissage a été réciproque",
            ),
        ),
        (
            "to_others",
            tr(
                "Mostly others learned from me",
                "Sobre todo los demás aprendieron de mí",
                "Ce sont surtout les autres qui ont appris de moi",
            ),
        ),
    )
    applied = choices(
        "applied",
        ("yes", tr("Yes", "Sí", "Oui")),
        ("started", tr("I have started", "He empezado", "J'ai commencé")),
        ("no", tr("Not yet", "Todavía no", "Pas encore")),
    )
    objectives: list[Item] = []
    for n in (1, 2, 3):
        first = n == 1
        objectives += [
            q(
                "text",
                f"objective_{n}",
                tr(
                    f"Learning objective {n}",
                    f"Objetivo de aprendizaje {n}",
                    f"Objectif d'apprentissage {n}",
                ),
                hint=tr(
                    "As you set it at the start (your facilitator can remind you).",
                    "Tal como lo fijó al inicio (su facilitador puede recordárselo).",
                    "Tel que fixé au départ (votre facilitateur peut vous le rappeler).",
                ),
                required=first,
            ),
            q(
                "select_one met",
                f"objective_{n}_met",
                tr("How far did you get?", "¿Hasta dónde llegó?", "Où en êtes-vous ?"),
                required=True,
                relevant="" if first else f"${{objective_{n}}} != ''",
            ),
        ]
    items: list[Item] = [
        group("objectives", tr("Your objectives", "Sus objetivos", "Vos objectifs"), objectives),
        group(
            "learning",
            tr("What you learned", "Lo que aprendió", "Ce que vous avez appris"),
            [
                q(
                    "text",
                    "unexpected",
                    tr(
                        "What did you learn that you did not expect?",
                        "¿Qué aprendió que no esperaba?",
                        "Qu'avez-vous appris que vous n'attendiez pas ?",
                    ),
                    required=False,
                ),
                q(
                    "select_one direction",
                    "direction",
                    tr(
                        "Which way did learning flow?",
                        "¿En qué sentido fluyó el aprendizaje?",
                        "Dans quel sens l'apprentissage a-t-il circulé ?",
                    ),
                ),
                q(
                    "select_one applied",
                    "applied",
                    tr(
                        "Have you applied anything in your organisation?",
                        "¿Ha aplicado algo en su institución?",
                        "Avez-vous appliqué quelque chose dans votre organisation ?",
                    ),
                ),
                q(
                    "text",
                    "applied_what",
                    tr(
                        "What, and with what result so far?",
                        "¿Qué, y con qué resultado hasta ahora?",
                        "Quoi, et avec quel résultat jusqu'ici ?",
                    ),
                    required=False,
                    relevant="${applied} != 'no'",
                ),
                q(
                    "select_one agree5",
                    "recommend",
                    tr(
                        "I would recommend this programme to a colleague.",
                        "Recomendaría este programa a un colega.",
                        "Je recommanderais ce programme à un·e collègue.",
                    ),
                    appearance="likert",
                ),
                q(
                    "text",
                    "next_steps",
                    tr(
                        "What will you do next?",
                        "¿Qué hará ahora?",
                        "Quelle est la suite pour vous ?",
                    ),
                    required=False,
                ),
            ],
        ),
    ]
    return instrument(
        "peerlearn_end_review",
        "End-of-programme review",
        "1",
        items,
        [met, direction, applied, AGREE5],
    )
