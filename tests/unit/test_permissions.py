"""The permission tree (services/common/permissions.py) and the identity's wire shape."""

from services.common import permissions
from services.common.identity import Identity, KeyScope, identity_from_pb, identity_to_pb


def test_builtin_defaults_have_the_six_sections_and_observed_values():
    tree = permissions.builtin_defaults()
    assert tuple(tree) == permissions.SECTIONS
    assert tree["workspace"]["knowledge"] is False
    assert tree["access_grants"] == {"allow_users": True, "allow_groups": True}
    assert tree["chat"]["temporary_enforced"] is False
    assert tree["features"]["api_keys"] is False
    # A copy: changing it leaves the built-in tree alone.
    tree["workspace"]["knowledge"] = True
    assert permissions.BUILTIN_DEFAULTS["workspace"]["knowledge"] is False


def test_fill_keeps_booleans_of_known_sections_only():
    filled = permissions.fill(
        {"workspace": {"knowledge": True, "bogus": "yes", "extra": True}, "nosuch": {"a": True}}
    )
    assert filled["workspace"]["knowledge"] is True
    assert filled["workspace"]["extra"] is True
    assert "bogus" not in filled["workspace"]
    assert "nosuch" not in filled
    assert permissions.fill("not a tree") == permissions.BUILTIN_DEFAULTS


def test_effective_tree_is_the_most_permissive():
    defaults = permissions.builtin_defaults()
    defaults["chat"]["delete"] = False
    tree = permissions.effective(
        defaults,
        [{"workspace": {"knowledge": True}}, {"workspace": {"knowledge": False}, "chat": {"delete": True}}],
    )
    assert tree["workspace"]["knowledge"] is True
    assert tree["chat"]["delete"] is True
    assert tree["workspace"]["models"] is False
    # A group cannot switch off what the defaults allow.
    kept = permissions.effective(permissions.builtin_defaults(), [{"chat": {"share": False}}])
    assert kept["chat"]["share"] is True


def test_true_keys_round_trip_through_tree_of():
    tree = permissions.effective(permissions.builtin_defaults(), [{"sharing": {"public_prompts": True}}])
    keys = permissions.true_keys(tree)
    assert "sharing.public_prompts" in keys
    assert "workspace.knowledge" not in keys
    assert permissions.tree_of(keys) == tree


def test_identity_round_trips_groups_permissions_and_scope():
    identity = Identity(
        user_id="u1",
        role="user",
        via_api_key=True,
        group_ids=frozenset({"g1", "g2"}),
        permissions=frozenset({"workspace.knowledge"}),
        scope=KeyScope(key_id="k1", name="ci", kind="chat", model_ids=frozenset({"m"}), expires_at=9),
    )
    back = identity_from_pb(identity_to_pb(identity), "sk-secret")
    assert back == identity
    assert back.credential == "sk-secret"
    assert ("group", "g2") in back.principals
    assert ("user", "*") in back.principals
    assert identity_from_pb(identity_to_pb(Identity(user_id="u2"))).scope is None
