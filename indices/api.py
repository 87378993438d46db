"""REST API of this app: viewsets go on the shared router, other views in `urlpatterns`."""

urlpatterns: list = []


def register(router) -> None:
    pass
