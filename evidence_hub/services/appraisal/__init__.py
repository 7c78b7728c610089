"""Green Book appraisal of the pilots: pure functions on plain data (no database, no Flask).

Every value-for-money figure the service shows (the dashboard, a release's learning summary, the API and
the glossary page) comes from here, with one definition each:

- `definitions`: the glossary, as data: each figure's name, formula in words and what it rests on.
- `evidence`: what the appraisal reads: reporting periods and each site's approved returns.
- `parameters`: the Green Book parameter set (price base year, GDP deflators, discount rates, optimism
  bias, additionality and the value of each outcome, each with its source) and its checks;
  `parameter_file` reads and writes its file format and the shipped default, and reads an uploaded
  deflator series.
- `years` (financial years), `prices` (real terms) and `discounting` (the Green Book discount factors).
- `additionality`: additional outcomes from gross ones, or from an impact estimate.
- `assumptions`: the point values one scenario (low, central, high or one parameter moved) uses.
- `appraisal`: the appraisal of each site and of the programme, period by period; `flows` holds what
  it produces for each period and scope, and `figures` writes each figure with its workings.
- `sensitivity`: switching values and the low, central and high range.
- `projection`: the roll-out projection, scaled by the size of each area.
- `workings`: the inputs, parameters and formula behind every figure.
- `export`: all of it as JSON-ready data for the API and a release's stored summary.
- `display`: how exact values are rounded and shown.

Money is `Decimal` throughout and never a float. See `display` for the precision and rounding rule.
"""
