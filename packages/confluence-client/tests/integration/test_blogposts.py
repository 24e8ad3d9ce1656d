"""Blog posts through the SDK against the fake over HTTP (Cloud, OAuth gateway, DC)."""

from collections.abc import Callable

import pytest

from confluence_client import (
    ConflictError,
    ConfluenceClient,
    ContentTypeMismatchError,
    InvalidInputError,
    NotFoundError,
)
from confluence_client.testing import FakeConfluenceServer


async def test_read_and_list_blog_posts(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    posts = [p async for p in client.iter_blogposts("DEMO", limit=1)]
    assert [(p.title, p.content_type) for p in posts] == [("Release 2.4 is out", "blogpost")]
    post = await client.get_page(posts[0].id, content_type="blogpost")
    assert post.body is not None
    assert "beta" in post.body.value
    assert post.parent_id is None
    assert post.content_type == "blogpost"
    with pytest.raises(NotFoundError):
        await client.get_page(posts[0].id)  # not a page
    faq = server.store.list_pages(title="FAQ")[0].id
    with pytest.raises(NotFoundError):
        await client.get_page(faq, content_type="blogpost")
    assert not [p async for p in client.iter_blogposts("ENG")]
    pages = [p.id async for p in client.iter_pages("DEMO")]
    assert posts[0].id not in pages
    with pytest.raises(InvalidInputError):
        await client.get_page(faq, content_type="whiteboard")  # type: ignore[arg-type]


async def test_write_blog_post_with_versions(
    client: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    post = await client.create_page("DEMO", "Team news", "<p>v1</p>", content_type="blogpost")
    assert post.content_type == "blogpost"
    assert server.store.pages[post.id].kind == "blogpost"
    with pytest.raises(InvalidInputError):
        await client.create_page("DEMO", "x", "<p>x</p>", parent_id=1, content_type="blogpost")
    updated = await client.update_page(
        post.id, expected_version=1, body="<p>v2</p>", content_type="blogpost"
    )
    assert updated.version_number == 2
    assert updated.content_type == "blogpost"
    assert server.store.pages[post.id].body == "<p>v2</p>"
    with pytest.raises(ConflictError) as info:
        await client.update_page(
            post.id, expected_version=1, title="Stale", body="<p>x</p>", content_type="blogpost"
        )
    assert info.value.current_version == 2
    with pytest.raises(NotFoundError):
        await client.update_page(post.id, expected_version=2, body="<p>x</p>")  # as a page
    await client.delete_page(post.id, content_type="blogpost")
    assert server.store.pages[post.id].status == "trashed"


async def test_data_center_names_the_type_of_an_id_read_as_another(
    make_client: Callable[..., ConfluenceClient], server: FakeConfluenceServer
) -> None:
    post = server.store.list_pages(kind="blogpost")[0].id
    faq = server.store.list_pages(title="FAQ")[0].id
    async with make_client("datacenter") as client:
        with pytest.raises(ContentTypeMismatchError) as info:
            await client.get_page(post)
        assert (info.value.content_id, info.value.expected, info.value.actual) == (
            post,
            "page",
            "blogpost",
        )
        assert info.value.space_key == "DEMO"
        assert "it is a blogpost" in str(info.value)
        with pytest.raises(ContentTypeMismatchError) as back:
            await client.get_page(faq, content_type="blogpost")
        assert (back.value.expected, back.value.actual) == ("blogpost", "page")
        # A walk from a blog post stops at its root, with the same error.
        with pytest.raises(ContentTypeMismatchError):
            await anext(client.walk_page_tree(post, max_depth=1))
    async with make_client("cloud") as cloud:
        with pytest.raises(NotFoundError) as plain:
            await cloud.get_page(post)  # Cloud's typed path says only 404
        assert not isinstance(plain.value, ContentTypeMismatchError)
