"""Fictional text in every script the issue names, and small documents around it."""

from __future__ import annotations

from refuge_desk.services.pdf.document import (
    ChecklistBlock,
    ChecklistRow,
    PrintDocument,
    Section,
    TableBlock,
    TextBlock,
)

SCRIPTS: dict[str, str] = {
    "polish": "Zażółć gęślą jaźń — Łucja Żak, ul. Źródlana 5",
    "romanian": "Ștefania Țăranu și Ăîâ ȘȚ",
    "turkish": "Çağla İğneli, ğüşıöç ĞÜŞİÖÇ",
    "vietnamese": "Nguyễn Thị Hường — Tiếng Việt có dấu: ắằẳẵặ ỗộ ữự",
    "cyrillic": "Оксана Шевченко, Київ; Жена, ёжик, Ђурђа",
    "greek": "Ελπίδα Παπαδοπούλου, ΑΒΓΔ άέήίόύώ",
    "arabic": "أمينة رحمن تسكن في المدينة منذ ٢٠٢٣",
    "urdu": "ٹینا کا ڈاکٹر، گاڑی میں؛ ںے ۓ ۂ",
    "farsi": "پریسا ژاله گلچین، یک دو سه ۱۲۳",
    "pashto": "ځینې ښځې ږغ ډېر ټول ګل ړ ۍ ې",
    "hebrew": "שרה כהן גרה בירושלים",
    "bengali": "আমিনা বেগম, স্বপরীক্ষা ক্ষ ত্র",
    "devanagari": "सुनीता शर्मा, क्षत्रिय श्री द्वार",
    "gurmukhi": "ਹਰਪ੍ਰੀਤ ਕੌਰ, ਪੰਜਾਬੀ ਸ੍ਰੀ",
    "gujarati": "પ્રિયા પટેલ, ગુજરાતી ક્ષ",
    "tamil": "கவிதா முருகன், தமிழ் க்ஷ ஸ்ரீ",
    "amharic": "ሰላም ዓለም፣ አበባ ተስፋዬ።",
    "tigrinya": "ሰላም ትግርኛ ኣብ ኤርትራ፡ ጽቡቕ",
    "chinese": "王秀英住在北京。简体繁體",
    "korean": "김지영 서울에 살아요. 한국어",
    "japanese": "山田花子です。ひらがなカタカナ",
    "telugu": "లక్ష్మి తెలుగు భాష",
    "kannada": "ಕನ್ನಡ ಲಕ್ಷ್ಮಿ",
    "malayalam": "മലയാളം ലക്ഷ്മി",
    "sinhala": "සිංහල ශ්‍රී ලංකා",
    "khmer": "ភាសាខ្មែរ ស្រី",
    "myanmar": "မြန်မာ ဘာသာ",
}

# Scripts harfbuzz does not turn into presentation forms or private glyphs, so their
# characters come back out of the PDF's ToUnicode maps exactly.
UNSHAPED = (
    "polish",
    "romanian",
    "turkish",
    "cyrillic",
    "greek",
    "hebrew",
    "chinese",
    "korean",
    "japanese",
)


def one_text(text: str, *, label: str = "Answer", language: str = "en") -> PrintDocument:
    return PrintDocument(
        title="Notes",
        header_lines=(),
        sections=(Section("Section", (TextBlock(label, text),)),),
        keep_safe="Keep this somewhere safe.",
        version_line="",
        page_label="Page {page} of {pages}",
        language=language,
    )


def full_plan(extra: str = "") -> PrintDocument:
    """Every kind of block, staff-only marks, a watermark and a blank form part."""
    return PrintDocument(
        title="My safety plan",
        header_lines=("Amina Rahman — أمينة رحمن", "Example House refuge"),
        sections=(
            Section(
                "About me",
                (
                    TextBlock("Languages", "Amina — أمينة. " + " ".join(SCRIPTS.values())),
                    TextBlock("Notes", extra or "Line one\nLine two & <b>not bold</b>"),
                ),
            ),
            Section(
                "Documents",
                (
                    ChecklistBlock(
                        "Documents",
                        ("Have", "Copy kept", "Needed", "Not applicable"),
                        (
                            ChecklistRow("Passport", 0),
                            ChecklistRow("Birth certificate", 2),
                            ChecklistRow("Bank card", None),
                        ),
                    ),
                ),
            ),
            Section(
                "Safe contacts",
                (
                    TableBlock(
                        "Contacts",
                        ("Name", "Relationship", "Number"),
                        (("Sara", "Sister", "07700 900123"), ("ليلى", "صديقة", "0123")),
                        blank_rows=2,
                    ),
                ),
            ),
            Section(
                "Risk",
                (TextBlock("Notes for staff", "Seen at the bus stop."),),
                staff_only=True,
            ),
            Section(
                "Next steps",
                (
                    TextBlock("Abuser's car", "Blue van", staff_only=True),
                    TextBlock(
                        "What I will do", "", prompts=("Where could you go?",), write_lines=4
                    ),
                ),
            ),
        ),
        keep_safe="Keep this somewhere safe.",
        version_line="Version 3, agreed 20 November 2026",
        page_label="Page {page} of {pages}",
        watermark="DRAFT - not yet agreed",
        metadata_title="Document",
    )
