"""Built-in monitoring, evaluation and learning instruments.

Partnership health, the five-capabilities self-assessment, the three-month
follow-up on sustained contact and the peer-contact questionnaire (for
participants and for a control group of colleagues).
"""

from __future__ import annotations

from peerlearn.surveys.instruments.kit import (
    AGREE5,
    APPLIED,
    EXCHANGE_KIND,
    FREQUENCY,
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

__all__ = ["capabilities", "followup", "followup_6m", "partnership_health", "peer_contact"]


def partnership_health() -> Instrument:
    """Health of a partnership or group, to track next to what it produces."""
    statements = [
        (
            "trust",
            tr(
                "I trust the people in this partnership.",
                "Confío en las personas de esta alianza.",
                "J'ai confiance dans les personnes de ce partenariat.",
            ),
        ),
        (
            "openness",
            tr(
                "We talk openly about what is not working.",
                "Hablamos abiertamente de lo que no funciona.",
                "Nous parlons ouvertement de ce qui ne fonctionne pas.",
            ),
        ),
        (
            "mutual_interest",
            tr(
                "I understand what each side wants to get out of it.",
                "Entiendo qué quiere obtener cada parte.",
                "Je comprends ce que chaque partie veut en retirer.",
            ),
        ),
        (
            "challenge",
            tr(
                "We are willing to question each other's ideas.",
                "Estamos dispuestos a cuestionar las ideas del otro.",
                "Nous acceptons de remettre en question les idées des autres.",
            ),
        ),
        (
            "two_way",
            tr(
                "Learning flows in both directions, not only one way.",
                "El aprendizaje va en ambos sentidos, no en uno solo.",
                "L'apprentissage circule dans les deux sens, pas dans un seul.",
            ),
        ),
        (
            "power_balance",
            tr(
                "No side dominates the decisions we take together.",
                "Ninguna parte domina las decisiones que tomamos juntos.",
                "Aucune partie ne domine les décisions prises ensemble.",
            ),
        ),
    ]
    items: list[Item] = [
        note(
            "intro",
            tr(
                "Think about the partnership or group you belong to in this programme.",
                "Piense en la alianza o el grupo del que forma parte en este programa.",
                "Pensez au partenariat ou au groupe dont vous faites partie dans ce programme.",
            ),
        ),
        group(
            "health",
            tr("How is the partnership?", "¿Cómo está la alianza?", "Comment va le partenariat ?"),
            [q("select_one agree5", n, label, appearance="likert") for n, label in statements],
            appearance="field-list",
        ),
        q(
            "text",
            "learned_from_other",
            tr(
                "Something the other side taught you recently (optional)",
                "Algo que la otra parte le enseñó hace poco (opcional)",
                "Quelque chose que l'autre partie vous a appris récemment (facultatif)",
            ),
            required=False,
        ),
        q(
            "text",
            "one_change",
            tr(
                "One change that would make the partnership stronger (optional)",
                "Un cambio que fortalecería la alianza (opcional)",
                "Un changement qui renforcerait le partenariat (facultatif)",
            ),
            required=False,
        ),
    ]
    return instrument("peerlearn_partnership_health", "Partnership health", "1", items, [AGREE5])


_CAPABILITIES = [
    (
        "commit",
        tr("Commit and engage", "Comprometerse y participar", "S'engager et agir"),
        tr(
            "Taking decisions, owning goals and keeping momentum.",
            "Tomar decisiones, asumir metas y mantener el impulso.",
            "Décider, s'approprier les objectifs et garder l'élan.",
        ),
    ),
    (
        "deliver",
        tr(
            "Carry out technical tasks and deliver results",
            "Realizar tareas técnicas y lograr resultados",
            "Mener les tâches techniques et obtenir des résultats",
        ),
        tr(
            "Having the skills, tools and routines to get the work done.",
            "Contar con las habilidades, herramientas y rutinas para hacer el trabajo.",
            "Avoir les compétences, outils et routines pour faire le travail.",
        ),
    ),
    (
        "relate",
        tr(
            "Relate to the context and attract others",
            "Relacionarse con el entorno y atraer a otros",
            "Se relier au contexte et rallier d'autres acteurs",
        ),
        tr(
            "Earning support, legitimacy and allies outside the team.",
            "Ganar apoyo, legitimidad y aliados fuera del equipo.",
            "Gagner soutien, légitimité et alliés hors de l'équipe.",
        ),
    ),
    (
        "balance",
        tr(
            "Balance diversity and coherence",
            "Equilibrar diversidad y coherencia",
            "Concilier diversité et cohérence",
        ),
        tr(
            "Welcoming different views while holding together around a shared direction.",
            "Acoger puntos de vista distintos sin perder un rumbo común.",
            "Accueillir des points de vue différents tout en gardant un cap commun.",
        ),
    ),
    (
        "adapt",
        tr("Adapt and renew", "Adaptarse y renovarse", "S'adapter et se renouveler"),
        tr(
            "Learning from experience and changing course when needed.",
            "Aprender de la experiencia y cambiar de rumbo cuando hace falta.",
            "Tirer les leçons de l'expérience et changer de cap si nécessaire.",
        ),
    ),
]


def capabilities() -> Instrument:
    """Five-capabilities self-assessment, for the person and for their institution."""
    level = choices(
        "level4",
        ("1", tr("Not yet", "Todavía no", "Pas encore")),
        ("2", tr("Beginning", "Incipiente", "Émergente")),
        ("3", tr("Working well", "Funciona bien", "Fonctionne bien")),
        ("4", tr("A real strength", "Una verdadera fortaleza", "Un véritable point fort")),
    )
    levels = [
        (
            "me",
            tr(
                "You, as a professional",
                "Usted, como profesional",
                "Vous, en tant que professionnel·le",
            ),
        ),
        (
            "org",
            tr("Your institution", "Su institución", "Votre institution"),
        ),
    ]
    groups: list[Item] = []
    for prefix, heading in levels:
        groups.append(
            group(
                f"{prefix}_level",
                heading,
                [
                    q("select_one level4", f"{prefix}_{key}", label, hint=hint, appearance="likert")
                    for key, label, hint in _CAPABILITIES
                ],
                appearance="field-list",
            )
        )
    items: list[Item] = [
        note(
            "intro",
            tr(
                "Rate each capability today. There are no right answers: we compare your own "
                "ratings over time.",
                "Valore cada capacidad hoy. No hay respuestas correctas: comparamos sus "
                "propias valoraciones a lo largo del tiempo.",
                "Évaluez chaque capacité aujourd'hui. Il n'y a pas de bonne réponse : nous "
                "comparons vos propres évaluations dans le temps.",
            ),
        ),
        *groups,
        q(
            "text",
            "example",
            tr(
                "An example behind your ratings (optional)",
                "Un ejemplo que respalde sus valoraciones (opcional)",
                "Un exemple qui illustre vos évaluations (facultatif)",
            ),
            required=False,
        ),
    ]
    return instrument(
        "peerlearn_capabilities", "Five capabilities self-assessment", "1", items, [level]
    )


_NONE_ALONE = "not(selected(., 'none') and count-selected(.) > 1)"
_NONE_ALONE_MSG = tr(
    "'None' cannot be combined with other answers.",
    "'Ninguno' no puede combinarse con otras respuestas.",
    "« Aucun » ne peut pas être combiné avec d'autres réponses.",
)


def followup(months: int = 3) -> Instrument:
    """Follow-up ``months`` after the programme: contact sustained, and what was shared back home.

    The "sharing at home" questions (audience, form, how many people, what
    changed) feed share-forward reach and candidate outcome stories
    (:mod:`peerlearn.engine.diffusion` reads them by these names).  Version 3
    adds "who did you learn from, and what?" once per peer, for those in
    contact (the mutuality ledger's item, :func:`~.kit.learned_from_item`).
    """
    benefits = choices(
        "benefit",
        (
            "advice",
            tr("Advice on a problem", "Consejos sobre un problema", "Des conseils sur un problème"),
        ),
        (
            "documents",
            tr(
                "Documents, templates or data",
                "Documentos, plantillas o datos",
                "Des documents, modèles ou données",
            ),
        ),
        (
            "contacts",
            tr(
                "Introductions to other people",
                "Contactos con otras personas",
                "Des mises en relation",
            ),
        ),
        (
            "confidence",
            tr(
                "Confidence to push a reform",
                "Confianza para impulsar una reforma",
                "L'assurance pour porter une réforme",
            ),
        ),
        (
            "joint_work",
            tr("Work done together", "Trabajo hecho en conjunto", "Un travail réalisé ensemble"),
        ),
        ("none", tr("None", "Ninguno", "Aucun")),
    )
    audience = choices(
        "audience",
        ("team", tr("My team", "Mi equipo", "Mon équipe")),
        ("manager", tr("My manager", "Mi superior", "Ma hiérarchie")),
        (
            "leadership",
            tr(
                "Political or senior leadership",
                "La conducción política o superior",
                "La direction politique ou générale",
            ),
        ),
        (
            "other_units",
            tr(
                "Other units of my organisation",
                "Otras áreas de mi institución",
                "D'autres services de mon organisation",
            ),
        ),
        (
            "other_orgs",
            tr(
                "Other organisations in my country",
                "Otras instituciones de mi país",
                "D'autres organisations de mon pays",
            ),
        ),
    )
    forms = choices(
        "share_form",
        (
            "report_back",
            tr(
                "A report-back session",
                "Una sesión de devolución",
                "Une séance de restitution",
            ),
        ),
        (
            "document",
            tr("A document or note", "Un documento o nota", "Un document ou une note"),
        ),
        (
            "community_of_practice",
            tr(
                "A community of practice",
                "Una comunidad de práctica",
                "Une communauté de pratique",
            ),
        ),
    )
    items: list[Item] = [
        q(
            "select_one yes_no",
            "in_contact",
            tr(
                "Since the programme ended, have you been in touch with any peer you met there?",
                "Desde que terminó el programa, ¿ha estado en contacto con algún par que conoció?",
                "Depuis la fin du programme, avez-vous été en contact avec des pairs rencontrés ?",
            ),
        ),
        group(
            "contact",
            tr("Your contact with peers", "Su contacto con pares", "Vos contacts avec les pairs"),
            [
                q(
                    "text",
                    "which_peers",
                    tr("With whom?", "¿Con quién?", "Avec qui ?"),
                    hint=tr(
                        "Names or organisations.",
                        "Nombres o instituciones.",
                        "Noms ou organisations.",
                    ),
                ),
                q(
                    "select_one frequency",
                    "how_often",
                    tr("How often?", "¿Con qué frecuencia?", "À quelle fréquence ?"),
                ),
                q(
                    "select_one yes_no",
                    "joint_task",
                    tr(
                        "Have you worked on a task together?",
                        "¿Han trabajado juntos en alguna tarea?",
                        "Avez-vous travaillé ensemble sur une tâche ?",
                    ),
                ),
                q(
                    "text",
                    "joint_task_what",
                    tr("Which task?", "¿Qué tarea?", "Quelle tâche ?"),
                    relevant="${joint_task} = 'yes'",
                ),
            ],
            relevant="${in_contact} = 'yes'",
        ),
        q(
            "select_multiple benefit",
            "benefits",
            tr(
                "What have you gained from these peers?",
                "¿Qué ha obtenido de estos pares?",
                "Qu'avez-vous retiré de ces pairs ?",
            ),
            relevant="${in_contact} = 'yes'",
            constraint=_NONE_ALONE,
            message=_NONE_ALONE_MSG,
        ),
        # Version 3: whom the respondent learned from since (the mutuality ledger's item).
        learned_from_item(relevant="${in_contact} = 'yes'"),
        group(
            "back_home",
            tr("Sharing at home", "Compartir en su institución", "Partager chez vous"),
            [
                q(
                    "select_one yes_no",
                    "shared",
                    tr(
                        "Have you shared what you learned in your own organisation?",
                        "¿Ha compartido lo aprendido en su propia institución?",
                        "Avez-vous partagé ce que vous avez appris dans votre organisation ?",
                    ),
                ),
                q(
                    "select_multiple audience",
                    "shared_with",
                    tr("With whom?", "¿Con quién?", "Avec qui ?"),
                    relevant="${shared} = 'yes'",
                ),
                q(
                    "text",
                    "shared_what",
                    tr("What did you share?", "¿Qué compartió?", "Qu'avez-vous partagé ?"),
                    relevant="${shared} = 'yes'",
                ),
                q(
                    "select_multiple share_form",
                    "shared_form",
                    tr("In which form?", "¿De qué forma?", "Sous quelle forme ?"),
                    relevant="${shared} = 'yes'",
                    required=False,
                ),
                q(
                    "integer",
                    "shared_how_many",
                    tr(
                        "About how many people did you reach?",
                        "¿A cuántas personas llegó, aproximadamente?",
                        "Environ combien de personnes avez-vous touchées ?",
                    ),
                    relevant="${shared} = 'yes'",
                    required=False,
                    constraint=". >= 0 and . <= 100000",
                    message=tr(
                        "A number from 0 to 100,000.",
                        "Un número de 0 a 100.000.",
                        "Un nombre de 0 à 100 000.",
                    ),
                ),
                q(
                    "text",
                    "what_changed",
                    tr(
                        "What has changed in your organisation since, if anything?",
                        "¿Qué ha cambiado en su institución desde entonces, si algo cambió?",
                        "Qu'est-ce qui a changé dans votre organisation depuis, le cas échéant ?",
                    ),
                    required=False,
                    appearance="multiline",
                ),
            ],
        ),
    ]
    title = {3: "Three-month follow-up", 6: "Six-month follow-up"}.get(
        months, f"Follow-up after {months} months"
    )
    return instrument(
        f"peerlearn_followup_{months}m",
        title,
        "3",
        items,
        [YES_NO, FREQUENCY, benefits, audience, forms, EXCHANGE_KIND, APPLIED],
    )


def followup_6m() -> Instrument:
    """The same follow-up, six months after the programme."""
    return followup(6)


def peer_contact() -> Instrument:
    """Peer contact, asked of participants and of a control group of colleagues."""
    respondent = choices(
        "respondent",
        (
            "participant",
            tr(
                "I took part in the programme",
                "Participé en el programa",
                "J'ai participé au programme",
            ),
        ),
        ("colleague", tr("I did not take part", "No participé", "Je n'ai pas participé")),
    )
    gains = choices(
        "gain",
        ("ideas", tr("New ideas", "Ideas nuevas", "De nouvelles idées")),
        (
            "solutions",
            tr(
                "Practical solutions I used",
                "Soluciones prácticas que apliqué",
                "Des solutions pratiques que j'ai utilisées",
            ),
        ),
        (
            "evidence",
            tr(
                "Evidence or examples to convince others",
                "Evidencia o ejemplos para convencer a otros",
                "Des preuves ou exemples pour convaincre",
            ),
        ),
        ("network", tr("A wider network", "Una red más amplia", "Un réseau plus large")),
        ("support", tr("Moral support", "Apoyo moral", "Un soutien moral")),
        ("none", tr("Nothing in particular", "Nada en particular", "Rien de particulier")),
    )
    some = "${peers} > 0"
    items: list[Item] = [
        q(
            "select_one respondent",
            "respondent",
            tr("Which applies to you?", "¿Cuál es su caso?", "Quelle est votre situation ?"),
        ),
        note(
            "peer_definition",
            tr(
                "Here a peer is an official in a comparable job elsewhere (another unit, "
                "organisation or country), with whom you deal as an equal.",
                "Aquí, un par es un funcionario con un puesto comparable en otro lugar (otra "
                "área, institución o país), con quien trata de igual a igual.",
                "Ici, un pair est un·e agent·e occupant un poste comparable ailleurs (un autre "
                "service, organisation ou pays), avec qui vous échangez d'égal à égal.",
            ),
        ),
        q(
            "integer",
            "peers",
            tr(
                "In the last twelve months, with how many peers have you been in contact?",
                "En los últimos doce meses, ¿con cuántos pares ha estado en contacto?",
                "Au cours des douze derniers mois, avec combien de pairs "
                "avez-vous été en contact ?",
            ),
            constraint=". >= 0 and . <= 200",
            message=tr(
                "Enter a number from 0 to 200.",
                "Escriba un número de 0 a 200.",
                "Saisissez un nombre entre 0 et 200.",
            ),
        ),
        group(
            "contact",
            tr("About these contacts", "Sobre estos contactos", "À propos de ces contacts"),
            [
                q(
                    "integer",
                    "lasting",
                    tr(
                        "With how many of them did contact last three months or more?",
                        "¿Con cuántos de ellos el contacto duró tres meses o más?",
                        "Avec combien d'entre eux le contact a-t-il duré trois mois ou plus ?",
                    ),
                    constraint=". >= 0 and . <= ${peers}",
                    message=tr(
                        "Cannot be more than the number of peers above.",
                        "No puede superar el número de pares indicado arriba.",
                        "Ne peut pas dépasser le nombre de pairs indiqué plus haut.",
                    ),
                ),
                q(
                    "select_one yes_no",
                    "same_organisation",
                    tr(
                        "Do any of these peers work in your own organisation?",
                        "¿Alguno de estos pares trabaja en su propia institución?",
                        "L'un de ces pairs travaille-t-il dans votre propre organisation ?",
                    ),
                ),
                q(
                    "select_one frequency",
                    "frequency",
                    tr(
                        "How often are you in touch, typically?",
                        "¿Con qué frecuencia suelen estar en contacto?",
                        "À quelle fréquence êtes-vous en contact, en général ?",
                    ),
                ),
                q(
                    "select_one yes_no",
                    "shared_task",
                    tr(
                        "Have you worked with any of them on a shared task?",
                        "¿Ha trabajado con alguno de ellos en una tarea común?",
                        "Avez-vous travaillé avec l'un d'eux sur une tâche commune ?",
                    ),
                ),
                q(
                    "text",
                    "shared_task_what",
                    tr(
                        "Describe the task briefly.",
                        "Describa brevemente la tarea.",
                        "Décrivez brièvement la tâche.",
                    ),
                    relevant="${shared_task} = 'yes'",
                ),
                q(
                    "select_multiple gain",
                    "gained",
                    tr(
                        "What have you gained from these contacts?",
                        "¿Qué ha ganado con estos contactos?",
                        "Qu'avez-vous gagné grâce à ces contacts ?",
                    ),
                    constraint=_NONE_ALONE,
                    message=_NONE_ALONE_MSG,
                ),
                q(
                    "select_one yes_no",
                    "met_in_programme",
                    tr(
                        "Did you meet any of them through the programme?",
                        "¿Conoció a alguno de ellos gracias al programa?",
                        "Avez-vous rencontré l'un d'eux grâce au programme ?",
                    ),
                    relevant="${respondent} = 'participant'",
                ),
            ],
            relevant=some,
        ),
        q(
            "text",
            "example",
            tr(
                "An example of what a peer changed in your work (optional)",
                "Un ejemplo de lo que un par cambió en su trabajo (opcional)",
                "Un exemple de ce qu'un pair a changé dans votre travail (facultatif)",
            ),
            required=False,
        ),
    ]
    return instrument(
        "peerlearn_peer_contact",
        "Peer contact questionnaire",
        "2",
        items,
        [respondent, FREQUENCY, YES_NO, gains],
    )
