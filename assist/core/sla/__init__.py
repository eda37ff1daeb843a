"""The SLA timers: the conversation phase table and the shop's service hours.

Pure: a :class:`~assist.core.sla.conversation.Conversation` changes phase only through its
transition table and says which deadline it wants next; the engine keeps the heap.
"""
