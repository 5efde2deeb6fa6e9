"""Forms for issuing and revising papers, commenting, and the chair's tools."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from consult.forms import Form, label_choices
from consult.ids import WholeNumberField
from consult.markdown import Renderable
from consult.papers.models import LANGUAGES, PaperKind, PaperStatus, Position
from consult.taxonomy.forms import TagFields

SYMBOL_PATTERN = r"^ATT/[A-Za-z0-9.\-]+(/[A-Za-z0-9.\-]+)*$"


def _to_id(value) -> int:
    """A delegation id from the form; anything else is 0 (no delegation: the service says so)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0


class _SourceMixin:
    source = TextAreaField(
        _l("Text (Markdown)"),
        validators=[Optional(), Length(max=1_000_000)],
        description=_l(
            "Paste the text. Blank lines separate paragraphs; lines starting with # "
            "are headings (not numbered); a list stays with the paragraph before it."
        ),
    )
    document = FileField(
        _l("Or upload a Word document (.docx)"),
        validators=[FileAllowed(["docx"], _l("Upload a .docx file."))],
    )


class PaperForm(TagFields, _SourceMixin, Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    symbol = StringField(
        _l("Document symbol (optional)"),
        validators=[
            Optional(),
            Length(max=120),
            Regexp(
                SYMBOL_PATTERN,
                message=_l("Use the ATT form, e.g. ATT/CSP11.WGETI/2025/CHAIR/801/Conf.Rep"),
            ),
        ],
    )
    kind = SelectField(_l("Kind"), choices=label_choices(k for k in PaperKind if k.issued_by_chair))
    issued_by = StringField(
        _l("Issued by"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("As printed on the paper, e.g. WGETI Chair"),
    )
    original_language = SelectField(
        _l("Original language"), choices=[(k, v) for k, v in LANGUAGES.items()]
    )
    closes_at = DateTimeLocalField(
        _l("Comment deadline (optional)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    is_chatham_house = BooleanField(
        _l(
            "Chatham House Rule: show comments without attribution (the chair and the "
            "Secretariat still see who wrote them)"
        )
    )
    # The choices (the room's named members) are set by the view, which refuses any other.
    facilitator = SelectField(
        _l("Facilitator of this paper (optional)"),
        validate_choice=False,
        description=_l(
            "Sees the paper while it is drafted and writes its revisions, with the room's "
            "chairs and facilitators."
        ),
    )


class TagsForm(TagFields, Form):
    """A paper's stages, activities and Treaty articles, set by the room's managers."""


class RevisionForm(_SourceMixin, Form):
    note = StringField(_l("What changed (optional)"), validators=[Optional(), Length(max=500)])


class VersionForm(_SourceMixin, Form):
    """A revision's text in another language; the choices are set by the view, and the
    service refuses the original language or one the revision already has, saying why."""

    language = SelectField(_l("Language of the version"), validate_choice=False)
    revision = SelectField(
        _l("Version of"),
        validate_choice=False,
        description=_l("Usually the current revision; an older one stays marked as such."),
    )


class DraftRevisionForm(Form):
    """The draft revision's text; its length is the service's to refuse, saying it."""

    source = TextAreaField(
        _l("Text of the draft revision (Markdown)"),
        description=_l(
            "Blank lines separate paragraphs; lines starting with # are headings (not "
            "numbered). The draft is saved with every preview."
        ),
    )


class IssueDraftForm(Form):
    """The confirmation of a reviewed draft: the version reviewed, and what changed."""

    version = WholeNumberField(validators=[InputRequired()])
    note = StringField(_l("What changed (optional, shown with the revision)"))


class OpenForCommentsForm(Form):
    closes_at = DateTimeLocalField(
        _l("Comment deadline (optional)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )


class StatusForm(Form):
    status = SelectField(_l("Status"), choices=label_choices(PaperStatus))
    closes_at = DateTimeLocalField(
        _l("Comment deadline"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment (Markdown)"),
        validators=[
            DataRequired(_l("Write your comment before posting it.")),
            Renderable(),
        ],
    )
    quote = TextAreaField(
        _l("Words you refer to (optional, copied from the paragraph)"),
        validators=[Optional()],
    )
    proposed_text = TextAreaField(
        _l("Proposed text (optional replacement wording)"),
        validators=[Optional(), Renderable()],
    )
    position = SelectField(
        _l("Position"),
        choices=[("", _l("No position"))] + label_choices(Position),
        validate_choice=False,
    )
    on_behalf_of = SelectField(_l("On behalf of"), validate_choice=False)
    revision = WholeNumberField(validators=[InputRequired()])
    parent_id = HiddenField()


class EditCommentForm(Form):
    body = TextAreaField(
        _l("Comment"), validators=[DataRequired(), Length(max=20_000), Renderable()]
    )
    proposed_text = TextAreaField(
        _l("Proposed text"), validators=[Optional(), Length(max=20_000), Renderable()]
    )


class HideForm(Form):
    reason = StringField(
        _l("Reason (shown to everyone)"),
        validators=[DataRequired(_l("Give a reason for hiding the comment.")), Length(max=300)],
    )


class _OneOfTheChoices:
    """A choice from the field's list, refused with the form's own words (not WTForms')."""

    def __init__(self, message) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data not in {value for value, _label in field.choices or ()}:
            raise ValidationError(self.message)


_CHOOSE_A_PARAGRAPH = _l("Choose a paragraph of the current revision.")


class ReattachForm(Form):
    key = SelectField(
        _l("Attach to paragraph"),
        validators=[DataRequired(_CHOOSE_A_PARAGRAPH), _OneOfTheChoices(_CHOOSE_A_PARAGRAPH)],
        validate_choice=False,
    )


# ---- national contributions -----------------------------------------------------------------


class ContributionForm(TagFields, _SourceMixin, Form):
    """A delegation's national working paper or presentation of national experience."""

    title = StringField(
        _l("Title"),
        # Its length is the service's to refuse, saying how long it is.
        validators=[DataRequired(_l("Give the contribution a title."))],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            *label_choices([PaperKind.NATIONAL_PAPER, PaperKind.NATIONAL_EXPERIENCE]),
        ],
    )
    original_language = SelectField(
        _l("Original language"), choices=[(k, v) for k, v in LANGUAGES.items()]
    )
    # The stages, activities and Treaty articles come with TagFields: the service refuses a
    # retired term or an article outside 1-28 (with its own words), not WTForms.
    cosponsors = SelectMultipleField(
        _l("Co-sponsors (optional)"),
        coerce=_to_id,
        validate_choice=False,
        description=_l(
            "Each delegation chosen is invited and named on the paper once it confirms."
        ),
    )
    note = StringField(_l("What changed (when you resubmit)"), validators=[Optional()])


class AcceptForm(Form):
    symbol = StringField(
        _l("Document symbol"),
        validators=[DataRequired(_l("Give the paper its document symbol."))],
        description=_l(
            "ATT/CSP<n>[.<body>]/<year>/<delegation>/<number>, as the Secretariat assigns it."
        ),
    )
    status = SelectField(
        _l("Accept it"),
        choices=[
            (PaperStatus.OPEN.value, _l("Open for comments")),
            (PaperStatus.DRAFTING.value, _l("In drafting (the room's managers see it first)")),
        ],
    )
    closes_at = DateTimeLocalField(
        _l("Comment deadline (optional)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    is_chatham_house = BooleanField(
        _l(
            "Chatham House Rule for the comments on it (the paper stays attributed to its "
            "delegation)"
        )
    )


class ReturnForm(Form):
    reason = TextAreaField(
        _l("Why you return it (the delegation reads this)"),
        validators=[DataRequired(_l("Say why you return it; the delegation reads your reason."))],
    )


class DeclineForm(Form):
    """A group's coordinator declines a comment made on the group's behalf (the reason, if
    given, is told to its author; its length is checked by the service, which says it)."""

    reason = StringField(_l("Reason (told to the author; optional)"))
