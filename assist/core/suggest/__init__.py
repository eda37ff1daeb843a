"""Reply suggestions: customer text in, intent + slots + filled-in canned replies out.

``matcher`` picks the intent, ``slots``/``sizing`` read the facts (body data, sizes,
prices), ``catalog`` answers stock, ``phrasebook`` holds the validated models and
``suggester`` puts them together. All pure; the models arrive already validated.
"""
