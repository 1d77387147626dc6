"""Data exchange with DHIS2 (issue 14): the mapping of Twinning's objects to DHIS2 identifiers, exports and imports
of data value sets (JSON, XML, CSV) and ADX, and sending to and fetching from a DHIS2 server over its Web API.

How Twinning's results meet DHIS2's data values:

| DHIS2                    | Twinning                                                                     |
|--------------------------|------------------------------------------------------------------------------|
| data element (UID, code) | an indicator (`Indicator.dhis2_data_element`, `dhis2_data_element_code`)     |
| category option combo    | a disaggregation option (`DisaggregationOption.dhis2_category_option_combo`); |
|                          | none (DHIS2's default combo) for the overall value                           |
| org unit                 | the partnership's host institution (`Institution.dhis2_org_unit`)            |
| attribute option combo   | the partnership's (`Partnership.dhis2_attribute_option_combo`), else the     |
|                          | programme's, else DHIS2's default                                            |
| period                   | the result's period, already a DHIS2 period id (`2024Q1`); ADX: `2024-01-01/P3M` |
| value, comment           | the value (yes/no as true/false, a qualitative result's text), the comment   |

Modules: `ids` (identifiers and id schemes), `mapping` (the page's selector and service), `export` (the data values
a user may see and the four writers), `parse` (streaming readers), `imports` (the import and its summary).
"""
