"""The psychological service is deliberately not in the administration.

Counselling records are visible only to the counsellor and those they grant (LEGAL.md "Personal
information"); administrators keep the organisation and read no case (separation of duties, MLPS level 3),
so none of the engagements, session records, grants or the access log is registered here. The access log
is read by the counsellor (their engagement's page) and by auditors (/counselling/audit/), never the records.
"""
