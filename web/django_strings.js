"use strict";
// Django 6.1's own admin JavaScript strings that its Swedish or Dutch catalogues
// lack (web/django_strings.py says why). Never loaded: makemessages reads it.
const djangoStrings = [
    gettext("You have selected an action, and you haven’t made any changes on individual fields. You’re probably looking for the Run button rather than the Save button."),
    gettext("server"),
    ngettext("Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour ahead.)", "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hours ahead.)", 1),
    ngettext("Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour behind.)", "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hours behind.)", 1),
    gettext("Today (%(date)s)"),
    gettext("Yesterday (%(date)s)"),
    gettext("Tomorrow (%(date)s)"),
    gettext("Previous (%(month)s %(year)s)"),
    gettext("Next (%(month)s %(year)s)"),
    gettext("%(month)s %(day)s, %(year)s"),
    gettext("%s (today, current selection)"),
    gettext("%s (today)"),
    gettext("%s (current selection)"),
];
