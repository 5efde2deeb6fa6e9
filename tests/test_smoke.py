from consult.rooms.models import AccessLevel, RoomRole


def test_sign_in_and_dashboard(client, auth, make_user, make_room, add_member):
    user = make_user()
    room = make_room(AccessLevel.MEMBERS, title="Small group on gender")
    add_member(room, user, RoomRole.CHAIR)
    auth.login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "Small group on gender" in response.get_data(as_text=True)
    response = client.get(f"/rooms/{room.slug}")
    assert response.status_code == 200, response.get_data(as_text=True)
