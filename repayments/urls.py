app_name = "repayments"

urlpatterns: list = []
