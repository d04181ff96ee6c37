"""An Atom feed of the latest published posts, one per language (/en/news/feed/)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from undersigned.pages.markdown import render_markdown

from .models import Post

ITEMS = 20


class LatestPosts(Feed):
    """One instance serves every request: the language is read per call, never stored."""

    feed_type = Atom1Feed

    def title(self):
        return _("News, statements and press releases")

    def link(self):
        return reverse("news:list")

    def subtitle(self):
        return _("What the organisations on this site publish about their actions.")

    def items(self):
        posts = Post.objects.published().prefetch_related("texts").select_related("organisation")
        return posts.filter(texts__language=get_language())[:ITEMS]

    def item_title(self, post):
        return post.text_in(get_language()).title

    def item_description(self, post):
        text = post.text_in(get_language())
        return render_markdown(text.summary or text.body)

    def item_link(self, post):
        return post.get_absolute_url()

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return max(post.updated_at, post.published_at)

    def item_author_name(self, post):
        return post.author_name or post.organisation.name_in(get_language())

    def item_categories(self, post):
        return [tag.name_in(get_language()) for tag in post.tags.all()]
