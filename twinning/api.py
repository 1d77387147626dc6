from ninja import NinjaAPI

api = NinjaAPI(title="Twinning API", version="1", urls_namespace="api")
