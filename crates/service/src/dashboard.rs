//! The enterprise's dashboard (工作台): its products by status, what wants its attention and by
//! when, and its notifications.

use crate::annual::{Cycle, UpdateState};
use crate::products::{Filter, ProductView};
use crate::{ServiceError, ServiceResult, Services};
use zhichan_domain::access::{authorize, Action, Actor, Scope};
use zhichan_domain::registration::ProductStatus;
use zhichan_store::enterprises::{self, Enterprise};
use zhichan_store::notifications::Notification;
use zhichan_store::products;

/// A product that wants something from the enterprise, and what.
#[derive(Clone, Debug)]
pub struct Attention {
    pub view: ProductView,
    pub update: UpdateState,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct EnterpriseDashboard {
    pub enterprise: Enterprise,
    pub by_status: Vec<(ProductStatus, i64)>,
    pub cycle: Cycle,
    pub attention: Vec<Attention>,
    /// Registered products counted in the update cycle, and how many are done.
    pub update_due: usize,
    pub update_done: usize,
    pub notifications: Vec<Notification>,
    pub unread: i64,
    /// Its products identified (认定) in announced batches, newest first.
    pub identified: Vec<crate::rounds::Identified>,
}

/// The most products a dashboard looks through (an enterprise with more sees the first ones;
/// the product list has them all).
const DASHBOARD_PRODUCTS: i64 = 2000;

impl Services {
    /// The dashboard of the caller's own enterprise (`NotFound` before its profile exists).
    pub async fn enterprise_dashboard(&self, actor: &Actor) -> ServiceResult<EnterpriseDashboard> {
        let code = match authorize(actor, Action::RegisterProducts)? {
            Scope::Enterprise(c) => c,
            _ => return Err(ServiceError::Forbidden),
        };
        let enterprise = enterprises::by_credit_code(self.db(), &code)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let by_status = products::count_by_status(self.db(), enterprise.id).await?;
        let (views, _) = self
            .products(actor, &Filter::default(), DASHBOARD_PRODUCTS, 0)
            .await?;
        let cycle = self.cycle().await?;
        let ids: Vec<i64> = views.iter().map(|v| v.product.id).collect();
        let updates = self.cycle_updates(&cycle, &ids).await?;
        let mut attention = Vec::new();
        let (mut update_due, mut update_done) = (0, 0);
        for view in views {
            let update = cycle.state(&view.product, &updates);
            match update {
                UpdateState::Done | UpdateState::Filed(_) => {
                    update_due += 1;
                    update_done += usize::from(matches!(update, UpdateState::Done));
                }
                UpdateState::Due { .. } | UpdateState::NotUpdated { .. } => update_due += 1,
                _ => {}
            }
            let mut reasons = Vec::new();
            match view.product.status {
                ProductStatus::Returned => reasons.push(format!(
                    "备案被退回：{}",
                    view.product.return_reason.as_deref().unwrap_or("")
                )),
                ProductStatus::Draft => reasons.push("草稿尚未提交".to_string()),
                _ => {}
            }
            if update.wants_action() || matches!(update, UpdateState::NotUpdated { .. }) {
                reasons.push(update.label_zh());
            }
            if view.should_withdraw() {
                reasons.push("关联专利已全部失效或转让，请撤销备案".to_string());
            } else if view.has_lapsed_patent() && view.product.withdrawn_on.is_none() {
                reasons.push("有关联专利已失效或转让".to_string());
            }
            if !reasons.is_empty() {
                attention.push(Attention {
                    view,
                    update,
                    reasons,
                });
            }
        }
        let (notifications, _, unread) = self.notifications(actor, 8, 0).await?;
        let identified = zhichan_store::identification_rounds::identified_of_enterprise(
            self.db(),
            enterprise.id,
        )
        .await?
        .into_iter()
        .map(
            |(candidate, year, announced_on)| crate::rounds::Identified {
                candidate,
                year,
                announced_on,
            },
        )
        .collect();
        Ok(EnterpriseDashboard {
            enterprise,
            by_status,
            cycle,
            attention,
            update_due,
            update_done,
            notifications,
            unread,
            identified,
        })
    }
}
