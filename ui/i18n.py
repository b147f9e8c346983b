"""Every word the interface writes, in French, English and Arabic, kept in this one place.

`t(key, **values)` reads the session's interface language. Answers are not translated here: the API writes them
in the question's language, and quotes stay in their source's language.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")
DEFAULT_LANGUAGE = "fr"
RTL_LANGUAGES = frozenset({"ar"})
LANG_KEY = "lang"  # the language switch's widget key, also its query parameter (?lang=ar)
LANG_STATE = "ui_language"  # the chosen language as plain session state: widget state does not outlive page switches

# Each language's own name, for the switch (a reader finds their language whatever the current one is).
ENDONYMS = {"fr": "Français", "en": "English", "ar": "العربية"}


LABELS: dict[str, dict[str, str]] = {
    # --- shell ---
    "app.tagline": {
        "fr": "Assistant documentaire de la budgétisation sensible au genre",
        "en": "Knowledge assistant for gender-responsive budgeting",
        "ar": "مساعد معرفي للميزانية المستجيبة للنوع الاجتماعي",
    },
    "app.language": {"fr": "Langue de l'interface", "en": "Interface language", "ar": "لغة الواجهة"},
    "app.footer": {
        "fr": "Centre d'excellence pour la BSG — ministère de l'Économie et des Finances",
        "en": "Centre of Excellence for GRB — Ministry of Economy and Finance",
        "ar": "مركز التميز للميزانية المستجيبة للنوع الاجتماعي — وزارة الاقتصاد والمالية",
    },
    "nav.explore": {"fr": "Explorer", "en": "Explore", "ar": "استكشاف"},
    "nav.manage": {"fr": "Gérer", "en": "Manage", "ar": "التدبير"},
    "nav.assistant": {"fr": "Assistant", "en": "Assistant", "ar": "المساعد"},
    "nav.search": {"fr": "Recherche", "en": "Search", "ar": "البحث"},
    "nav.library": {"fr": "Bibliothèque", "en": "Library", "ar": "المكتبة"},
    "nav.discover": {
        "fr": "L'expérience marocaine", "en": "Morocco's experience", "ar": "التجربة المغربية",
    },
    "nav.admin": {"fr": "Administration", "en": "Admin", "ar": "الإدارة"},
    "api.connected": {"fr": "Service connecté", "en": "Service connected", "ar": "الخدمة متصلة"},
    "api.down": {"fr": "Service injoignable", "en": "Service unreachable", "ar": "تعذّر الاتصال بالخدمة"},
    "api.documents": {"fr": "{n} documents indexés", "en": "{n} documents indexed", "ar": "الوثائق المفهرسة: {n}"},
    # --- errors (detail comes from the API, in English) ---
    "err.unavailable": {
        "fr": "Le service Mizan est injoignable ({url}). Vérifiez qu'il est démarré (`mizan serve`) puis réessayez.",
        "en": "The Mizan service cannot be reached at {url}. Check that it is running (`mizan serve`) and try again.",
        "ar": "تعذّر الوصول إلى خدمة ميزان ({url}). تأكدوا من تشغيلها (`mizan serve`) ثم أعيدوا المحاولة.",
    },
    "err.auth": {
        "fr": "Clé d'API refusée ou absente. Détail : {detail}",
        "en": "The API key was refused or is missing. Detail: {detail}",
        "ar": "مفتاح الواجهة البرمجية مرفوض أو غير موجود. التفاصيل: {detail}",
    },
    "err.validation": {
        "fr": "La demande a été refusée : {detail}",
        "en": "The request was refused: {detail}",
        "ar": "رُفض الطلب: {detail}",
    },
    "err.not_found": {
        "fr": "Introuvable (peut-être supprimé entre-temps) : {detail}",
        "en": "Not found (perhaps deleted meanwhile): {detail}",
        "ar": "غير موجود (ربما حُذف في الأثناء): {detail}",
    },
    "err.server": {
        "fr": "Le service a rencontré une erreur : {detail}",
        "en": "The service ran into an error: {detail}",
        "ar": "واجهت الخدمة خطأ: {detail}",
    },
    # --- assistant ---
    "assistant.title": {"fr": "Assistant BSG", "en": "GRB assistant", "ar": "مساعد الميزانية المستجيبة للنوع الاجتماعي"},
    "assistant.caption": {
        "fr": "Posez votre question en français, en arabe ou en anglais : chaque réponse cite ses sources, page par page.",
        "en": "Ask in French, Arabic or English: every answer cites its sources, page by page.",
        "ar": "اطرحوا سؤالكم بالعربية أو الفرنسية أو الإنجليزية: كل جواب يذكر مصادره، صفحة بصفحة.",
    },
    "assistant.placeholder": {"fr": "Votre question…", "en": "Your question…", "ar": "سؤالكم…"},
    "assistant.new": {"fr": "Nouvelle conversation", "en": "New conversation", "ar": "محادثة جديدة"},
    "assistant.empty": {
        "fr": "Commencez par une question, ou essayez l'un de ces exemples :",
        "en": "Start with a question, or try one of these:",
        "ar": "ابدؤوا بسؤال، أو جرّبوا أحد هذه الأمثلة:",
    },
    "assistant.style": {"fr": "Style de réponse", "en": "Answer style", "ar": "أسلوب الجواب"},
    "assistant.style.llm": {"fr": "Réponse rédigée", "en": "Written answer", "ar": "جواب محرَّر"},
    "assistant.style.extractive": {"fr": "Extraits cités", "en": "Cited excerpts", "ar": "مقتطفات مستشهد بها"},
    "assistant.style_help": {
        "fr": "Réponse rédigée : un modèle de langue écrit la réponse et chaque phrase est vérifiée contre sa source. "
              "Extraits cités : les phrases des documents, telles quelles.",
        "en": "Written answer: a language model writes it and every sentence is checked against its source. "
              "Cited excerpts: the documents' own sentences, as they are.",
        "ar": "جواب محرَّر: يكتب نموذج لغوي الجواب وتُراجَع كل جملة مقابل مصدرها. "
              "مقتطفات مستشهد بها: جمل الوثائق كما هي.",
    },
    "assistant.sources": {"fr": "Sources", "en": "Sources", "ar": "المصادر"},
    "assistant.refused": {
        "fr": "Pas de réponse fiable : les documents ne contiennent pas d'éléments assez solides pour répondre.",
        "en": "No reliable answer: the documents do not hold strong enough evidence to answer.",
        "ar": "لا يوجد جواب موثوق: لا تتضمن الوثائق عناصر كافية للإجابة.",
    },
    "assistant.searched_as": {"fr": "Question recherchée : {q}", "en": "Searched as: {q}", "ar": "السؤال كما بُحث عنه: {q}"},
    "assistant.thinking": {
        "fr": "Recherche dans les documents…", "en": "Searching the documents…", "ar": "جارٍ البحث في الوثائق…",
    },
    "assistant.error": {
        "fr": "La réponse n'a pas pu être produite.", "en": "The answer could not be produced.",
        "ar": "تعذّر إعداد الجواب.",
    },
    "feedback.prompt": {
        "fr": "Cette réponse vous a-t-elle été utile ?", "en": "Was this answer useful?", "ar": "هل كان هذا الجواب مفيدًا؟",
    },
    "feedback.comment": {"fr": "Commentaire (facultatif)", "en": "Comment (optional)", "ar": "تعليق (اختياري)"},
    "feedback.send": {"fr": "Envoyer l'avis", "en": "Send feedback", "ar": "إرسال الملاحظة"},
    "feedback.thanks": {"fr": "Merci pour votre retour.", "en": "Thank you for your feedback.", "ar": "شكرًا على ملاحظتكم."},
    # --- source panel ---
    "source.close": {"fr": "Fermer", "en": "Close", "ar": "إغلاق"},
    "source.page": {"fr": "p. {n}", "en": "p. {n}", "ar": "ص. {n}"},
    "source.page_of": {"fr": "Page {n} sur {total}", "en": "Page {n} of {total}", "ar": "الصفحة {n} من {total}"},
    "source.quote": {"fr": "Passage cité", "en": "Cited passage", "ar": "المقطع المستشهد به"},
    # the tag on a passage whose text was recognised from a scanned page (it may hold recognition errors)
    "source.ocr": {"fr": "OCR", "en": "OCR", "ar": "OCR"},
    "source.text": {"fr": "Texte de la page", "en": "Page text", "ar": "نص الصفحة"},
    "source.image": {"fr": "Image de la page", "en": "Page image", "ar": "صورة الصفحة"},
    "source.no_image": {
        "fr": "Pas d'image de page pour ce document (ce n'est pas un PDF).",
        "en": "No page image for this document (it is not a PDF).",
        "ar": "لا توجد صورة لهذه الصفحة (الوثيقة ليست بصيغة PDF).",
    },
    "source.open_file": {"fr": "Ouvrir le document", "en": "Open the document", "ar": "فتح الوثيقة"},
    "source.download": {"fr": "Télécharger", "en": "Download", "ar": "تحميل"},
    "source.prev": {"fr": "Page précédente", "en": "Previous page", "ar": "الصفحة السابقة"},
    "source.next": {"fr": "Page suivante", "en": "Next page", "ar": "الصفحة التالية"},
    "source.back_to_cited": {"fr": "Revenir à la page citée", "en": "Back to the cited page", "ar": "العودة إلى الصفحة المستشهد بها"},
    "source.no_span": {
        "fr": "Le passage s'étend sur plusieurs pages : il n'est pas surligné ici.",
        "en": "The passage runs across pages, so it is not highlighted here.",
        "ar": "يمتد المقطع على أكثر من صفحة، لذلك لم يُبرَز هنا.",
    },
    # --- search ---
    "search.title": {"fr": "Recherche documentaire", "en": "Document search", "ar": "البحث في الوثائق"},
    "search.caption": {
        "fr": "Trouvez les études, guides, lois et rapports par sujet, année, type et langue.",
        "en": "Find studies, guides, laws and reports by topic, year, type and language.",
        "ar": "ابحثوا عن الدراسات والأدلة والقوانين والتقارير حسب الموضوع والسنة والنوع واللغة.",
    },
    "search.query": {"fr": "Que cherchez-vous ?", "en": "What are you looking for?", "ar": "عمّ تبحثون؟"},
    "search.placeholder": {
        "fr": "ex. indicateurs de performance sensibles au genre",
        "en": "e.g. gender-sensitive performance indicators",
        "ar": "مثال: مؤشرات الأداء المراعية للنوع الاجتماعي",
    },
    "search.button": {"fr": "Rechercher", "en": "Search", "ar": "بحث"},
    "search.doc_types": {"fr": "Type de document", "en": "Document type", "ar": "نوع الوثيقة"},
    "search.languages": {"fr": "Langue du passage", "en": "Passage language", "ar": "لغة المقطع"},
    "search.years": {"fr": "Années de publication", "en": "Publication years", "ar": "سنوات النشر"},
    "search.all": {"fr": "Tous", "en": "All", "ar": "الكل"},
    "search.view": {"fr": "Afficher", "en": "Show", "ar": "عرض"},
    "search.view.passages": {"fr": "Passages", "en": "Passages", "ar": "المقاطع"},
    "search.view.documents": {"fr": "Documents", "en": "Documents", "ar": "الوثائق"},
    "search.view.figures": {"fr": "Chiffres", "en": "Figures", "ar": "الأرقام"},
    "search.no_figures": {"fr": "Aucun chiffre (taux, montant en dirhams) dans les passages trouvés.",
                          "en": "No figure (rate, dirham amount) in the passages found.",
                          "ar": "لا توجد أرقام (نسب، مبالغ بالدرهم) في المقاطع التي تم العثور عليها."},
    "figures.count": {"fr": "{n} chiffres, dans l'ordre de pertinence des passages",
                      "en": "{n} figures, in the order of their passages' relevance",
                      "ar": "{n} رقما، حسب ترتيب أهمية المقاطع"},
    "figures.value": {"fr": "Valeur", "en": "Value", "ar": "القيمة"},
    "figures.unit": {"fr": "Unité", "en": "Unit", "ar": "الوحدة"},  # % or MDH (millions of dirhams)
    "figures.year": {"fr": "Année", "en": "Year", "ar": "السنة"},
    "figures.measure": {"fr": "Ce qui est mesuré", "en": "What it measures", "ar": "ما يقيسه"},
    "figures.source": {"fr": "Source", "en": "Source", "ar": "المصدر"},
    "figures.sentence": {"fr": "Phrase", "en": "Sentence", "ar": "الجملة"},
    "search.advanced": {"fr": "Options avancées", "en": "Advanced options", "ar": "خيارات متقدمة"},
    "search.mode": {"fr": "Méthode", "en": "Method", "ar": "طريقة البحث"},
    "search.mode.hybrid": {"fr": "Hybride (sens + mots)", "en": "Hybrid (meaning + words)", "ar": "هجينة (المعنى + الكلمات)"},
    "search.mode.dense": {"fr": "Sens", "en": "Meaning", "ar": "المعنى"},
    "search.mode.sparse": {"fr": "Mots-clés", "en": "Keywords", "ar": "الكلمات المفتاحية"},
    "search.k": {"fr": "Nombre de passages", "en": "Passages to retrieve", "ar": "عدد المقاطع"},
    "search.count": {
        "fr": "Passages : {n} · documents : {d}", "en": "Passages: {n} · documents: {d}",
        "ar": "المقاطع: {n} · الوثائق: {d}",
    },
    "search.none": {
        "fr": "Aucun passage ne correspond. Élargissez les filtres ou reformulez la recherche.",
        "en": "Nothing matches. Widen the filters or rephrase the search.",
        "ar": "لا توجد نتائج مطابقة. وسّعوا عوامل التصفية أو أعيدوا صياغة البحث.",
    },
    "search.start": {
        "fr": "Saisissez une recherche pour commencer.", "en": "Type a search to begin.", "ar": "اكتبوا عبارة البحث للبدء.",
    },
    "search.open": {"fr": "Voir la page", "en": "View page", "ar": "عرض الصفحة"},
    "search.pages": {"fr": "Pages trouvées", "en": "Pages found", "ar": "الصفحات"},
    "search.facets": {"fr": "Répartition des documents trouvés", "en": "Documents found, by kind",
                      "ar": "توزيع الوثائق التي تم العثور عليها"},
    "facet.doc_type": {"fr": "Type", "en": "Type", "ar": "النوع"},
    "facet.year": {"fr": "Année", "en": "Year", "ar": "السنة"},
    "facet.language": {"fr": "Langue", "en": "Language", "ar": "اللغة"},
    "facet.source": {"fr": "Source", "en": "Source", "ar": "المصدر"},
    "library.similar": {"fr": "Documents semblables", "en": "Similar documents", "ar": "وثائق مشابهة"},
    "library.similar_none": {"fr": "Aucun autre document.", "en": "No other document.", "ar": "لا توجد وثيقة أخرى."},
    "search.export": {"fr": "Exporter les références", "en": "Export the references", "ar": "تصدير المراجع"},
    "search.export_format": {"fr": "Format", "en": "Format", "ar": "الصيغة"},
    "search.export.csv": {"fr": "CSV (tableur)", "en": "CSV (spreadsheet)", "ar": "CSV (جدول)"},
    "search.export.bib": {"fr": "BibTeX", "en": "BibTeX", "ar": "BibTeX"},
    "search.export.ris": {"fr": "RIS (Zotero, EndNote)", "en": "RIS (Zotero, EndNote)", "ar": "RIS (Zotero، EndNote)"},
    "search.passages_in_doc": {"fr": "passages : {n}", "en": "passages: {n}", "ar": "المقاطع: {n}"},
    # --- library ---
    "library.title": {"fr": "Bibliothèque", "en": "Library", "ar": "المكتبة"},
    "library.caption": {
        "fr": "Le fonds documentaire : guides, lois, rapports et études ({n} documents).",
        "en": "The collection: guides, laws, reports and studies ({n} documents).",
        "ar": "الرصيد الوثائقي: أدلة وقوانين وتقارير ودراسات (عدد الوثائق: {n}).",
    },
    "library.filter": {"fr": "Filtrer par titre", "en": "Filter by title", "ar": "تصفية حسب العنوان"},
    "library.col.title": {"fr": "Titre", "en": "Title", "ar": "العنوان"},
    "library.col.type": {"fr": "Type", "en": "Type", "ar": "النوع"},
    "library.col.year": {"fr": "Année", "en": "Year", "ar": "السنة"},
    "library.col.language": {"fr": "Langue", "en": "Language", "ar": "اللغة"},
    "library.col.pages": {"fr": "Pages", "en": "Pages", "ar": "الصفحات"},
    "library.open": {"fr": "Ouvrir", "en": "Open", "ar": "فتح"},
    "library.back": {"fr": "Retour à la bibliothèque", "en": "Back to the library", "ar": "العودة إلى المكتبة"},
    "library.empty": {
        "fr": "Aucun document ne correspond à ces filtres.", "en": "No document matches these filters.",
        "ar": "لا توجد وثيقة مطابقة لعوامل التصفية هذه.",
    },
    "library.source": {"fr": "Source", "en": "Source", "ar": "المصدر"},
    "library.licence": {"fr": "Licence", "en": "Licence", "ar": "الترخيص"},
    "library.file": {"fr": "Fichier", "en": "File", "ar": "الملف"},
    "library.no_year": {"fr": "s. d.", "en": "n.d.", "ar": "بدون تاريخ"},
    "punct.colon": {"fr": " :", "en": ":", "ar": ":"},
    # --- discover ---
    "discover.title": {
        "fr": "Découvrir l'expérience marocaine", "en": "Discover Morocco's experience", "ar": "اكتشفوا التجربة المغربية",
    },
    "discover.lead": {
        "fr": "Le Maroc pratique la budgétisation sensible au genre (BSG) depuis 2002. Mizan rassemble les guides, "
              "textes juridiques, rapports et études du Centre d'excellence pour la BSG (CE-BSG, ministère de "
              "l'Économie et des Finances) et répond à vos questions en citant ses sources.",
        "en": "Morocco has practised gender-responsive budgeting (GRB) since 2002. Mizan gathers the guides, legal "
              "texts, reports and studies of the Centre of Excellence for GRB (CE-BSG, Ministry of Economy and "
              "Finance) and answers your questions with cited sources.",
        "ar": "يعتمد المغرب الميزانية المستجيبة للنوع الاجتماعي منذ سنة 2002. يجمع ميزان أدلة مركز التميز للميزانية "
              "المستجيبة للنوع الاجتماعي (وزارة الاقتصاد والمالية) ونصوصه القانونية وتقاريره ودراساته، ويجيب عن "
              "أسئلتكم مع ذكر المصادر.",
    },
    "discover.milestones": {"fr": "Repères", "en": "Milestones", "ar": "محطات بارزة"},
    "discover.m2002": {
        "fr": "Lancement de la démarche BSG au Maroc.",
        "en": "Morocco launches gender-responsive budgeting.",
        "ar": "انطلاق تجربة الميزانية المستجيبة للنوع الاجتماعي في المغرب.",
    },
    "discover.m2005": {
        "fr": "Un rapport sur le budget genre accompagne chaque année le projet de loi de finances.",
        "en": "A gender budget report accompanies the draft finance bill every year.",
        "ar": "تقرير حول الميزانية المستجيبة للنوع الاجتماعي يرافق مشروع قانون المالية كل سنة.",
    },
    "discover.m2014": {
        "fr": "Prix des Nations Unies pour le service public.",
        "en": "UN Public Service Award.",
        "ar": "جائزة الأمم المتحدة للخدمة العامة.",
    },
    "discover.m2015": {
        "fr": "La loi organique n° 130-13 relative aux lois de finances (LOF) institutionnalise l'égalité de genre "
              "dans la programmation budgétaire.",
        "en": "Organic law n° 130-13 on finance laws (LOF) institutionalises gender equality in budget programming.",
        "ar": "القانون التنظيمي رقم 130-13 لقانون المالية يُرسّخ مبدأ المساواة بين الجنسين في البرمجة الميزانياتية.",
    },
    "discover.lof": {
        "fr": "Sous la LOF, les programmes de performance des ministères doivent prendre en compte le genre dans "
              "leurs objectifs, leurs résultats et leurs indicateurs. Le rapport sur le budget genre a d'abord "
              "couvert quelques ministères, puis environ 27 départements.",
        "en": "Under the LOF, ministries' performance programmes must take gender into account in their objectives, "
              "results and indicators. The gender budget report first covered a handful of ministries, and later "
              "around 27 departments.",
        "ar": "في إطار القانون التنظيمي لقانون المالية، يجب أن تراعي برامج نجاعة أداء القطاعات الوزارية النوعَ "
              "الاجتماعي في أهدافها ونتائجها ومؤشراتها. وقد شمل تقرير الميزانية المستجيبة للنوع الاجتماعي في "
              "البداية عددًا قليلًا من الوزارات، ثم نحو 27 قطاعًا لاحقًا.",
    },
    "discover.centre_title": {
        "fr": "Le Centre d'excellence (CE-BSG)", "en": "The Centre of Excellence (CE-BSG)",
        "ar": "مركز التميز للميزانية المستجيبة للنوع الاجتماعي",
    },
    "discover.centre": {
        "fr": "Rattaché à la Direction du Budget du ministère de l'Économie et des Finances, à Rabat, le centre "
              "accompagne les ministères vers une programmation budgétaire pluriannuelle intégrant le genre et des "
              "programmes de performance sensibles au genre. Il est organisé en pôles : expertise et instruments ; "
              "ingénierie de la formation ; ingénierie, recherche et innovation ; rayonnement et communication, "
              "dont la coopération internationale ; système d'information et opérations. L'apprentissage entre "
              "pairs avec les pays du Maghreb, du Moyen-Orient et d'Afrique est l'un de ses axes.",
        "en": "Part of the Budget Directorate of the Ministry of Economy and Finance in Rabat, the centre supports "
              "ministries towards multi-year budget programming that integrates gender and gender-sensitive "
              "performance programmes. It is organised in poles: expertise and instruments; training engineering; "
              "engineering, research and innovation; outreach and communication, including international "
              "cooperation; information system and operations. Peer learning with countries of the Maghreb, the "
              "Middle East and Africa is one of its axes.",
        "ar": "يتبع المركز مديرية الميزانية بوزارة الاقتصاد والمالية بالرباط، ويواكب القطاعات الوزارية نحو برمجة "
              "ميزانياتية متعددة السنوات تدمج النوع الاجتماعي وبرامج نجاعة أداء مراعية له. وهو منظم في أقطاب: "
              "الخبرة والأدوات؛ هندسة التكوين؛ الهندسة والبحث والابتكار؛ الإشعاع والتواصل، بما فيه التعاون الدولي؛ "
              "نظام المعلومات والعمليات. ويُعدّ التعلم بين الأقران مع بلدان المغرب العربي والشرق الأوسط وإفريقيا "
              "أحد محاوره.",
    },
    "discover.ask_title": {"fr": "Interrogez Mizan", "en": "Ask Mizan", "ar": "اسألوا ميزان"},
    "discover.ask_caption": {
        "fr": "Un clic pose la question à l'assistant ; la réponse vient dans la langue de la question, avec ses sources.",
        "en": "One click asks the assistant; the answer comes in the question's language, with its sources.",
        "ar": "نقرة واحدة تطرح السؤال على المساعد، ويأتي الجواب بلغة السؤال مع مصادره.",
    },
    "discover.browse": {"fr": "Parcourir la bibliothèque", "en": "Browse the library", "ar": "تصفّح المكتبة"},
    # --- admin ---
    "admin.title": {"fr": "Administration", "en": "Administration", "ar": "الإدارة"},
    "admin.caption": {
        "fr": "Ajoutez et retirez des documents. Ces opérations demandent la clé d'API du service.",
        "en": "Add and remove documents. These operations need the service's API key.",
        "ar": "أضيفوا الوثائق أو احذفوها. تتطلب هذه العمليات مفتاح الواجهة البرمجية للخدمة.",
    },
    "admin.key": {"fr": "Clé d'API", "en": "API key", "ar": "مفتاح الواجهة البرمجية"},
    "admin.key_help": {
        "fr": "La clé configurée sur le serveur (MIZAN_API_KEY). Elle n'est gardée que pour cette session.",
        "en": "The key configured on the server (MIZAN_API_KEY). It is kept for this session only.",
        "ar": "المفتاح المضبوط على الخادم (MIZAN_API_KEY). يُحتفظ به خلال هذه الجلسة فقط.",
    },
    "admin.key_missing": {
        "fr": "Saisissez la clé d'API pour ajouter ou supprimer des documents.",
        "en": "Enter the API key to add or delete documents.",
        "ar": "أدخلوا مفتاح الواجهة البرمجية لإضافة الوثائق أو حذفها.",
    },
    "admin.disabled": {
        "fr": "Ce serveur n'accepte ni ajout ni suppression : aucune clé MIZAN_API_KEY n'y est configurée.",
        "en": "This server accepts no additions or removals: no MIZAN_API_KEY is configured on it.",
        "ar": "لا يقبل هذا الخادم الإضافة ولا الحذف: لم يُضبط عليه أي مفتاح MIZAN_API_KEY.",
    },
    "admin.upload_title": {"fr": "Ajouter des documents", "en": "Add documents", "ar": "إضافة وثائق"},
    "admin.upload_label": {
        "fr": "PDF, Word, Markdown, HTML ou texte", "en": "PDF, Word, Markdown, HTML or text",
        "ar": "ملفات PDF أو Word أو Markdown أو HTML أو نص",
    },
    "admin.upload_button": {"fr": "Envoyer et indexer", "en": "Upload and index", "ar": "إرسال وفهرسة"},
    "admin.uploaded": {
        "fr": "Fichiers envoyés : {n}. L'indexation a commencé.",
        "en": "Files sent: {n}. Indexing has started.",
        "ar": "الملفات المرسلة: {n}. بدأت الفهرسة.",
    },
    "admin.jobs_title": {"fr": "Suivi des indexations", "en": "Ingest jobs", "ar": "تتبع عمليات الفهرسة"},
    "admin.no_jobs": {
        "fr": "Aucune indexation lancée dans cette session.", "en": "No ingest started in this session.",
        "ar": "لم تُطلق أي عملية فهرسة في هذه الجلسة.",
    },
    "admin.col.file": {"fr": "Fichier", "en": "File", "ar": "الملف"},
    "admin.col.status": {"fr": "État", "en": "Status", "ar": "الحالة"},
    "admin.col.detail": {"fr": "Détail", "en": "Detail", "ar": "التفاصيل"},
    "admin.col.job": {"fr": "Tâche", "en": "Job", "ar": "المهمة"},
    "admin.status.queued": {"fr": "En attente", "en": "Queued", "ar": "في الانتظار"},
    "admin.status.running": {"fr": "En cours", "en": "Running", "ar": "قيد التنفيذ"},
    "admin.status.done": {"fr": "Terminé", "en": "Done", "ar": "اكتملت"},
    "admin.status.failed": {"fr": "Échec", "en": "Failed", "ar": "فشلت"},
    "admin.delete_title": {"fr": "Supprimer un document", "en": "Delete a document", "ar": "حذف وثيقة"},
    "admin.delete_pick": {"fr": "Document à supprimer", "en": "Document to delete", "ar": "الوثيقة المراد حذفها"},
    "admin.delete_confirm": {
        "fr": "Je confirme retirer ce document de l'index",
        "en": "I confirm removing this document from the index",
        "ar": "أؤكد حذف هذه الوثيقة من الفهرس",
    },
    "admin.delete_button": {"fr": "Supprimer", "en": "Delete", "ar": "حذف"},
    "admin.deleted": {"fr": "« {title} » a été supprimé.", "en": "“{title}” was deleted.", "ar": "تم حذف «{title}»."},
    "admin.refresh": {"fr": "Actualiser", "en": "Refresh", "ar": "تحديث"},
    # --- indicators (the workbench) ---
    "nav.indicators": {"fr": "Indicateurs", "en": "Indicators", "ar": "المؤشرات"},
    "indicators.title": {"fr": "Atelier des indicateurs", "en": "Indicator workbench", "ar": "ورشة المؤشرات"},
    "indicators.caption": {
        "fr": "Vérifiez un indicateur, rédigez des indicateurs pour un programme, proposez un code de marquage : "
              "chaque critère cite le guide dont il vient.",
        "en": "Check an indicator, draft indicators for a programme, suggest a marking code: every criterion cites "
              "the guide it comes from.",
        "ar": "راجعوا مؤشرا، وصيغوا مؤشرات لبرنامج، واقترحوا رمز تصنيف: كل معيار يذكر الدليل الذي أُخذ منه.",
    },
    "indicators.tab.review": {"fr": "Vérifier un indicateur", "en": "Review an indicator", "ar": "مراجعة مؤشر"},
    "indicators.tab.draft": {"fr": "Rédiger des indicateurs", "en": "Draft indicators", "ar": "صياغة مؤشرات"},
    "indicators.tab.classify": {"fr": "Code de marquage", "en": "Marking code", "ar": "رمز التصنيف"},
    "indicators.indicator": {"fr": "Indicateur", "en": "Indicator", "ar": "المؤشر"},
    "indicators.indicator_help": {
        "fr": "Collez l'indicateur tel qu'il figure dans le projet de performance, avec sa valeur de référence, sa "
              "cible, sa source et sa fréquence s'il les a.",
        "en": "Paste the indicator as it stands in the performance project, with its baseline, target, source and "
              "frequency if it has them.",
        "ar": "الصقوا المؤشر كما ورد في مشروع نجاعة الأداء، مع قيمته المرجعية والمستهدفة ومصدره ووتيرته إن وجدت.",
    },
    "indicators.objective": {
        "fr": "Objectif du programme (facultatif)", "en": "Programme objective (optional)",
        "ar": "هدف البرنامج (اختياري)",
    },
    "indicators.review_button": {"fr": "Vérifier", "en": "Review", "ar": "مراجعة"},
    "indicators.counts": {
        "fr": "Conformes : {passed} · non conformes : {failed} · à vérifier : {to_check}",
        "en": "Pass: {passed} · fail: {failed} · to check: {to_check}",
        "ar": "مستوفى: {passed} · غير مستوفى: {failed} · للتحقق: {to_check}",
    },
    "indicators.verdict.pass": {"fr": "Conforme", "en": "Pass", "ar": "مستوفى"},
    "indicators.verdict.fail": {"fr": "Non conforme", "en": "Fail", "ar": "غير مستوفى"},
    "indicators.verdict.to_check": {"fr": "À vérifier", "en": "To check", "ar": "للتحقق"},
    "indicators.found": {"fr": "Repéré : {words}", "en": "Found: {words}", "ar": "رُصد: {words}"},
    "indicators.description": {"fr": "Description du programme", "en": "Programme description", "ar": "وصف البرنامج"},
    "indicators.description_help": {
        "fr": "Finalité, bénéficiaires, actions, sources de données : ce qui n'y figure pas reste « à compléter ».",
        "en": "Aim, beneficiaries, actions, data sources: whatever it does not say is left \"to complete\".",
        "ar": "الغاية والمستفيدون والإجراءات ومصادر المعطيات: ما لا يُذكر يبقى «يُستكمل».",
    },
    "indicators.draft_button": {"fr": "Proposer des indicateurs", "en": "Draft indicators", "ar": "اقتراح مؤشرات"},
    "indicators.field.objective": {"fr": "Objectif", "en": "Objective", "ar": "الهدف"},
    "indicators.field.baseline": {"fr": "Valeur de référence", "en": "Baseline", "ar": "القيمة المرجعية"},
    "indicators.field.target": {"fr": "Cible", "en": "Target", "ar": "القيمة المستهدفة"},
    "indicators.field.data_source": {"fr": "Source", "en": "Source", "ar": "المصدر"},
    "indicators.field.frequency": {"fr": "Fréquence", "en": "Frequency", "ar": "الوتيرة"},
    "indicators.to_complete": {"fr": "à compléter", "en": "to complete", "ar": "يُستكمل"},
    "indicators.template": {"fr": "Modèle tiré de", "en": "Template from", "ar": "نموذج مأخوذ من"},
    "indicators.guidance": {"fr": "Passages du guide", "en": "Guidance passages", "ar": "مقاطع من الدليل"},
    "indicators.q_objective": {
        "fr": "L'égalité entre les femmes et les hommes est-elle un objectif explicite du programme ?",
        "en": "Is equality between women and men an explicit objective of the programme?",
        "ar": "هل المساواة بين النساء والرجال هدف صريح للبرنامج؟",
    },
    "indicators.objective.principal": {
        "fr": "Oui, son objectif principal", "en": "Yes, its principal objective", "ar": "نعم، هدفه الرئيسي",
    },
    "indicators.objective.significant": {
        "fr": "Oui, un objectif important mais secondaire", "en": "Yes, an important but secondary objective",
        "ar": "نعم، هدف مهم لكنه ثانوي",
    },
    "indicators.objective.none": {"fr": "Non", "en": "No", "ar": "لا"},
    "indicators.q_target_group": {
        "fr": "Le programme vise-t-il un public spécifique (femmes, filles…) ?",
        "en": "Does the programme target a specific group (women, girls…)?",
        "ar": "هل يستهدف البرنامج فئة محددة (النساء، الفتيات…)؟",
    },
    "indicators.q_share": {
        "fr": "Part des activités (ou des crédits) qui servent l'égalité, en %",
        "en": "Share of the activities (or credits) that serve equality, in %",
        "ar": "حصة الأنشطة (أو الاعتمادات) التي تخدم المساواة، بالنسبة المئوية",
    },
    "indicators.classify_button": {"fr": "Proposer un code", "en": "Suggest a code", "ar": "اقتراح رمز"},
    "indicators.suggested": {
        "fr": "Code suggéré : {code} · marqueur CAD de l'OCDE : {dac}",
        "en": "Suggested code: {code} · OECD-DAC marker: {dac}",
        "ar": "الرمز المقترح: {code} · مؤشر لجنة المساعدة الإنمائية: {dac}",
    },
    "indicators.criteria": {"fr": "Critères cités", "en": "Criteria quoted", "ar": "المعايير المستشهد بها"},
    "indicators.open": {"fr": "Voir la page", "en": "View page", "ar": "عرض الصفحة"},
    "indicators.empty": {
        "fr": "Saisissez un texte pour commencer.", "en": "Type a text to begin.", "ar": "اكتبوا نصا للبدء.",
    },
    # --- delegation brief (Discover page) ---
    "brief.title": {"fr": "Note pour une délégation", "en": "Brief for a delegation", "ar": "مذكرة لوفد زائر"},
    "brief.caption": {
        "fr": "5 à 8 points cités tels quels, dans l'ordre du temps, à télécharger en Markdown.",
        "en": "5 to 8 points quoted as written, in time order, to download as Markdown.",
        "ar": "من 5 إلى 8 نقاط مقتبسة كما هي، مرتبة زمنيا، للتحميل بصيغة Markdown.",
    },
    "brief.topic": {"fr": "Sujet", "en": "Topic", "ar": "الموضوع"},
    "brief.topic.institutions": {"fr": "Le dispositif institutionnel", "en": "Institutional set-up", "ar": "الإطار المؤسساتي"},
    "brief.topic.legal_basis": {"fr": "La base juridique", "en": "Legal basis", "ar": "الأساس القانوني"},
    "brief.topic.tools": {"fr": "Les outils", "en": "Tools", "ar": "الأدوات"},
    "brief.topic.gender_report": {
        "fr": "Le rapport annuel sur le budget genre", "en": "The annual gender budget report",
        "ar": "التقرير السنوي حول ميزانية النوع الاجتماعي",
    },
    "brief.topic.results": {"fr": "Résultats et chiffres", "en": "Results and figures", "ar": "النتائج والأرقام"},
    "brief.topic.lessons": {"fr": "Enseignements", "en": "Lessons", "ar": "الدروس المستفادة"},
    "brief.button": {"fr": "Préparer la note", "en": "Prepare the brief", "ar": "إعداد المذكرة"},
    "brief.download": {"fr": "Télécharger (Markdown)", "en": "Download (Markdown)", "ar": "تحميل (Markdown)"},
    "brief.download_pdf": {"fr": "Télécharger (PDF)", "en": "Download (PDF)", "ar": "تحميل (PDF)"},
    "brief.empty": {
        "fr": "Les documents ne contiennent pas assez de passages sur ce sujet.",
        "en": "The documents hold too few passages on this topic.",
        "ar": "لا تتضمن الوثائق مقاطع كافية حول هذا الموضوع.",
    },
    # --- vocabularies ---
    "doc_type.guide": {"fr": "Guide", "en": "Guide", "ar": "دليل"},
    "doc_type.loi": {"fr": "Loi", "en": "Law", "ar": "قانون"},
    "doc_type.rapport": {"fr": "Rapport", "en": "Report", "ar": "تقرير"},
    "doc_type.etude": {"fr": "Étude", "en": "Study", "ar": "دراسة"},
    "doc_type.autre": {"fr": "Autre", "en": "Other", "ar": "أخرى"},
    "language.fr": {"fr": "Français", "en": "French", "ar": "الفرنسية"},
    "language.en": {"fr": "Anglais", "en": "English", "ar": "الإنجليزية"},
    "language.ar": {"fr": "Arabe", "en": "Arabic", "ar": "العربية"},
    "language.und": {"fr": "Indéterminée", "en": "Undetermined", "ar": "غير محددة"},
}

# Questions a first visitor can run with one click (assistant page in the interface language; the Discover page
# shows all three languages, since a delegation may want to see the answer in any of them).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "fr": (
        "Comment formuler un indicateur sensible au genre pour un programme ?",
        "Qu'apporte la LOF n° 130-13 à la prise en compte du genre ?",
        "Qu'est-ce que le rapport sur le budget sensible au genre ?",
    ),
    "en": (
        "When did Morocco start gender-responsive budgeting?",
        "What does organic law 130-13 require of ministries' performance programmes?",
        "How is the Centre of Excellence for gender-responsive budgeting organised?",
    ),
    "ar": (
        "ما هو دور مركز التميز لميزانية النوع الاجتماعي؟",
        "متى بدأ المغرب اعتماد الميزانية المستجيبة للنوع الاجتماعي؟",
        "ما هو التقرير حول الميزانية المستجيبة للنوع الاجتماعي؟",
    ),
}


def current_language() -> str:
    lang = st.session_state.get(LANG_STATE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def is_rtl(lang: str | None = None) -> bool:
    return (lang or current_language()) in RTL_LANGUAGES


def t(key: str, lang: str | None = None, **values: Any) -> str:
    """The label `key` in `lang` (default: the interface language), with `{name}` placeholders filled."""
    entry = LABELS[key]
    text = entry.get(lang or current_language()) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def doc_type_label(doc_type: str, lang: str | None = None) -> str:
    key = f"doc_type.{doc_type}"
    return t(key, lang) if key in LABELS else doc_type


def language_label(code: str, lang: str | None = None) -> str:
    key = f"language.{code}"
    return t(key, lang) if key in LABELS else code


def labels_for(prefix: str, values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """{value: label} in the current language, read now: a widget's format_func may be called after the run."""
    lang = current_language()
    return {v: t(f"{prefix}.{v}", lang) if f"{prefix}.{v}" in LABELS else v for v in values}
