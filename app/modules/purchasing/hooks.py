"""How purchasing plugs into the core and the orders: the product page's BOM section."""

from app.core.tasks.registry import Panel
from app.core.users import permissions
from app.modules.orders.models import Product
from app.modules.orders.panels import ProductPage, register_product_panels
from app.modules.purchasing.services import components


def _product_panels(product: Product, page: ProductPage) -> list[Panel]:
    context = {
        "product": product,
        "bom": components.bom_of_product(product.id),
        "may_edit": permissions.may_edit_boms(page.viewer),
    }
    return [Panel("sections", "purchasing/_product_bom.html", context, order=20)]


def register() -> None:
    """Plug purchasing into the core, the orders, the plan and close-out."""
    register_product_panels(_product_panels)
