"""Forms for scheduling meetings, building the agenda and asking for the floor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms import Form as RowForm
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from consult.forms import Form, label_choices
from consult.ids import WholeNumberField
from consult.markdown import Renderable
from consult.meetings import interpretation
from consult.meetings.interpretation import ChannelEntry
from consult.meetings.models import FloorKind, MeetingKind, MeetingMode, Presence, ScreenMode
from consult.taxonomy.forms import TagFields
from consult.zones import ZoneField

#: Blank rows offered under a meeting's channels (more with "Add a channel").
SPARE_CHANNEL_ROWS = 2


class ChannelRowForm(RowForm):
    """One interpretation channel in the meeting form (a row of `MeetingForm.channels`). The
    values are checked by `interpretation.problems`, which says what is wrong next to each;
    the hint above the rows says what goes where (not repeated on every row)."""

    language = StringField(
        _l("Language"), render_kw={"list": "interpretation-languages", "autocomplete": "off"}
    )
    number = StringField(_l("Channel number"), render_kw={"inputmode": "numeric", "size": 4})
    link = StringField(_l("Stream link (https://…)"), render_kw={"inputmode": "url"})
    note = StringField(_l("Note (optional)"))


class MeetingForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=label_choices(MeetingKind))
    mode = SelectField(_l("Mode"), choices=label_choices(MeetingMode))
    venue = StringField(
        _l("Venue"),
        validators=[Optional(), Length(max=300)],
        description=_l("e.g. CICG, Room 2, Geneva"),
    )
    time_zone = ZoneField(_l("Time zone of the meeting"))
    starts_at = DateTimeLocalField(
        _l("Starts"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M"
    )
    ends_at = DateTimeLocalField(_l("Ends"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    video_link = StringField(
        _l("Video-conference or livestream link"),
        validators=[Optional(), Length(max=500), URL(require_tld=False)],
        description=_l("Shown only to those who may attend."),
    )
    #: The interpretation channels in the chair's order: one row each, blank rows spare.
    channels = FieldList(FormField(ChannelRowForm), label=_l("Interpretation"))

    symbol = StringField(
        _l("Document symbol of the record (optional)"),
        validators=[Optional(), Length(max=120)],
        description=_l("e.g. ATT/CSP12.WGETI/2026/SEC/3/Rec; printed in the record's header"),
    )
    is_chatham_house = BooleanField(
        _l("Held under the Chatham House Rule"),
        description=_l(
            'Speakers are then shown by their status ("a State Party", "an observer '
            'organisation") in the live view, on the screen and in the record; only the chair '
            "and the Secretariat see who spoke."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: The languages a chair picks from (the rows' datalist), in the viewer's language.
        self.language_names = interpretation.language_names()

    def validate(self, extra_validators=None) -> bool:
        """The fields, then every channel row at once (each message next to its field)."""
        valid = super().validate(extra_validators)
        _checked, problems = interpretation.problems(self.channel_entries())
        for (index, name), message in problems.items():
            target = self.channels.entries[index].form[name]
            target.errors = [*target.errors, message]
        return valid and not problems

    def refuse(self, message: str, field: str | None = None) -> None:
        """A service's refusal of a channel ("channels-2-link") goes next to that row's field."""
        parts = (field or "").split("-")
        if len(parts) == 3 and parts[0] == "channels" and parts[1].isascii() and parts[1].isdigit():
            index, name = int(parts[1]), parts[2]
            if index < len(self.channels.entries) and name in self.channels.entries[index].form:
                target = self.channels.entries[index].form[name]
                target.errors = [*target.errors, message]
                return
        super().refuse(message, field)

    def channel_entries(self) -> list[ChannelEntry]:
        """The rows as typed, blank ones included (their index is the fields' name)."""
        return [
            ChannelEntry(
                language=row.form.language.data or "",
                number=row.form.number.data or "",
                link=row.form.link.data or "",
                note=row.form.note.data or "",
            )
            for row in self.channels.entries
        ]

    def show_channels(self, entries: list[ChannelEntry], spare: int = SPARE_CHANNEL_ROWS) -> None:
        """Fill the rows with these channels and `spare` blank ones after them."""
        self.channels.entries = []
        self.channels.last_index = -1
        for entry in [*entries, *[ChannelEntry()] * spare]:
            self.channels.append_entry(
                {
                    "language": entry.language,
                    "number": entry.number,
                    "link": entry.link,
                    "note": entry.note,
                }
            )

    def rearrange(self, action: str) -> bool:
        """A row button was pressed ("add", "remove-2", "up-2"): the rows are rearranged and
        the form shown again, nothing saved (it works without JavaScript). False otherwise."""
        rows = self.channel_entries()
        verb, _sep, number = (action or "").partition("-")
        index = int(number) if number.isascii() and number.isdigit() and len(number) < 4 else -1
        if verb == "add" and not number:
            rows.append(ChannelEntry())
        elif verb == "remove" and 0 <= index < len(rows):
            del rows[index]
        elif verb == "up" and 0 < index < len(rows):
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        else:
            return False
        self.show_channels(rows, spare=0)
        return True


class ItemForm(TagFields, Form):
    number = WholeNumberField(_l("Number"), validators=[DataRequired(), NumberRange(1, 999)])
    letter = StringField(
        _l("Sub-item letter (optional)"),
        validators=[Optional(), Length(max=1)],
        description=_l("a for 3(a)"),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    annotation = TextAreaField(
        _l("Annotation (Markdown)"), validators=[Optional(), Length(max=10000), Renderable()]
    )
    planned_minutes = WholeNumberField(
        _l("Planned duration (minutes)"),
        default=30,
        validators=[DataRequired(), NumberRange(1, 1440)],
    )
    speaking_limit_seconds = WholeNumberField(
        _l("Speaking time per statement (seconds)"),
        default=180,
        validators=[DataRequired(), NumberRange(15, 3600)],
    )
    presenters = StringField(_l("Presenters"), validators=[Optional(), Length(max=300)])


class ItemEditForm(Form):
    """An agenda item corrected (its number changes by moving it). The lengths are checked by
    the service, which says them (never cut); an empty title too."""

    title = StringField(_l("Title"))
    annotation = TextAreaField(_l("Annotation (Markdown)"), validators=[Optional(), Renderable()])
    planned_minutes = WholeNumberField(
        _l("Planned duration (minutes)"), validators=[DataRequired(), NumberRange(1, 1440)]
    )
    speaking_limit_seconds = WholeNumberField(
        _l("Speaking time per statement (seconds)"),
        validators=[DataRequired(), NumberRange(15, 3600)],
    )
    presenters = StringField(_l("Presenters"))


class AgendaActionForm(Form):
    """A button on an agenda item (move, remove, restore): no fields, so a service's refusal
    comes back on the form and is shown next to that item's buttons."""


class FloorForm(Form):
    kind = SelectField(_l("I ask for the floor for"), choices=label_choices(FloorKind))
    presence = SelectField(
        _l("I am"), choices=label_choices(Presence), default=Presence.REMOTE.value
    )
    on_behalf_of = SelectField(_l("On behalf of"), validate_choice=False)


class InscribeForm(Form):
    delegation = SelectField(_l("Delegation (flag raised in the room)"), coerce=int)
    kind = SelectField(_l("Kind"), choices=label_choices(FloorKind))


class RulingForm(Form):
    ruling = StringField(
        _l("Ruling (one line)"),
        # Its length is checked by the service, which says it (never cut).
        validators=[DataRequired(message=_l("Write the ruling before recording it: it is empty."))],
    )


class ActionForm(Form):
    """A button's POST (a chair's action, adopting the agenda, withdrawing a request): no
    fields, so that a service's refusal comes back through the form (the handler layer runs
    the view again) and the view answers its own 422 panel with the reason."""


class DeclineForm(Form):
    """A group's coordinator declines what was asked on the group's behalf (the reason, if
    given, is told to who asked; its length is checked by the service, which says it)."""

    reason = StringField(_l("Reason (told to who asked; optional)"))


class ScreenLinkForm(Form):
    """A new screen link; the label says which screen it is for (its length is checked by the
    service, which says it)."""

    label = StringField(
        _l("Which screen (optional)"), description=_l("e.g. Room XVII, screen left of the podium")
    )


class ScreenModeForm(Form):
    mode = SelectField(_l("The screen shows"), choices=label_choices(ScreenMode))
    #: "<paper id>:<paragraph key>", for the paragraph screen (checked by the service).
    paragraph = SelectField(_l("Paragraph"), validate_choice=False)


class PresenceForm(Form):
    presence = SelectField(_l("I follow the meeting"), choices=label_choices(Presence))


class DeskPresenceForm(Form):
    """The desk marks someone in the room or remote, or records who follows without a device."""

    user = SelectField(_l("Person"), coerce=int, validate_choice=False)
    presence = SelectField(_l("Presence"), choices=label_choices(Presence))


class ProgrammeSessionForm(Form):
    """A session of the programme of work: its day, times and place, in the meeting's zone.
    Lengths are checked by the service, which says them (never cut)."""

    body = StringField(
        _l("Body that meets"),
        validators=[DataRequired(message=_l("Name the body that meets (e.g. WGETI or Plenary)."))],
        description=_l("e.g. WGETI, WGTU, WGTR, Plenary"),
        render_kw={"list": "session-bodies", "autocomplete": "off"},
    )
    day = DateField(_l("Day"), validators=[DataRequired(message=_l("Choose the day."))])
    starts = TimeField(_l("Starts"), validators=[DataRequired(message=_l("Give the start time."))])
    ends = TimeField(_l("Ends"), validators=[DataRequired(message=_l("Give the end time."))])
    venue = StringField(
        _l("Room"),
        validators=[Optional()],
        description=_l("e.g. Room XVII; empty: the meeting's venue"),
    )
    video_link = StringField(
        _l("Video-conference link"),
        validators=[Optional(), URL(require_tld=False)],
        description=_l("Empty: the meeting's link. Shown only to those who may attend."),
    )


class ItemSessionForm(Form):
    """Place an agenda item in a session of its meeting ("" takes it out of any)."""

    session = SelectField(_l("Session"), validate_choice=False)
