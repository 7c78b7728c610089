"""Releases for national officials: publishing frozen tables under disclosure control (`publishing`,
`tables`, `protected_tables`, `disclosure`; every table and derived figure protected as one linked system
across releases, `linked_tables`, `protection`, and audited against the intruder, `intruder`), the
learning summary (`learning_summary`; its value for money and roll-out projection come from
services/appraisal through `value_for_money_block`), reading releases (`reading`), a site's own data
(`site_data`), and printing them all (`render/`).
"""
