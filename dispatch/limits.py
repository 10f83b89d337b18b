"""How long the staff's and residents' texts on a ticket may be: one number for each kind, used by
the console's forms, the API's serializers and the services that store the text."""

NOTE_MAX_LENGTH = 2000  # notes, reasons, replies, the resident's feedback comment
ANSWER_MAX_LENGTH = 5000  # the answer to the resident, a co-handler's report, a response or progress note
