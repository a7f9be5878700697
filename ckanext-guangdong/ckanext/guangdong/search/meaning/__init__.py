"""Search that understands what people mean (issue 15, docs/search.md).

Datasets get extra index words when they are indexed (``before_dataset_index``), the same
for both backends because CKAN builds the document before either engine sees it:
thesaurus words (thesaurus.py), place names (places.py), Latin variants (variants.py) and
pinyin (pinyin.py). They go into two fields that both engines rank lowest
(embedded: weight class D; Solr: a low ``qf`` boost), so exact words rank above them.
"""
