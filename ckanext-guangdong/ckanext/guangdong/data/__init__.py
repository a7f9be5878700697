"""The data feature: tabular resources loaded into the DataStore (ckanext-xloader), read right
when they are Chinese government files, previewed, offered through the data API and downloaded
in other formats (docs/data.md)."""
