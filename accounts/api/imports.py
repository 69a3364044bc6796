"""Import and export API. `register(router)` is called by accounts/api/urls.py."""


def register(router) -> None:
    pass


urlpatterns: list = []
