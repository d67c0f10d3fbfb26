"""Daily fact posts: subscriptions, the once-a-day broadcast and the operator commands.

``compose`` builds a post, ``plan`` decides when a chat is due, ``broadcaster`` sends the due
posts at most once each, ``telegram`` wires it all into the bot, ``cli`` into ``factbot``.
"""
