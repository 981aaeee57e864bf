# The public knowledge base portal.
portal-skip = Skip to content
portal-home = Help center
portal-language = Language
portal-search = Search
portal-search-placeholder = Search articles
portal-search-results = Results for “{ $query }”
portal-no-results = No articles match “{ $query }”.
portal-empty = No articles have been published yet.
portal-categories = Categories
portal-more-articles = More articles
portal-articles-count = { $count ->
    [one] 1 article
   *[other] { $count } articles
}
portal-updated = Updated { $date }
portal-helpful-question = Was this article helpful?
portal-helpful-yes = Yes
portal-helpful-no = No
portal-helpful-thanks = Thank you for your feedback.
portal-helpful-count = { $helpful } of { $total } found this helpful.
portal-other-language = This article is not written in your language yet.
portal-contact = Submit a request
portal-request-intro = Tell us what you need. We answer by email.
portal-request-name = Your name
portal-request-email = Your email
portal-request-subject = Subject
portal-request-message = How can we help?
portal-request-send = Send
portal-request-sent = Thank you. Your request is number #{ $number }; we will answer by email.
portal-suggestions = These articles may answer your question:
portal-signin-needed = This knowledge base is for signed-in customers.
portal-signin-intro = Enter your email address and we will send you a link to sign in.
portal-signin-send = Send me a link
portal-signin-confirm = Open { $kb }
portal-signin-sent = If we know this address, a sign-in link is on its way. It works for 30 minutes.
portal-signin-subject = Your sign-in link for { $kb }
portal-signin-body = Hello,

    open this link to read { $kb }: { $link }
    It works for 30 minutes. If you did not ask for it, ignore this message.
