"""Agent-message lint: negative language and the shop's message rules.

``rules`` holds the validated, compiled model of ``rules/lint.yaml``; ``linter`` applies it
to one message (or a closed conversation) and returns findings. Pure.
"""
