"""The fundraising feature's tables: campaigns and their occasions, pages and teams, the gifts credited to them."""

from crm.fundraising.models.campaigns import Campaign, Occasion
from crm.fundraising.models.credits import PageGift, PagePlan
from crm.fundraising.models.offline import OfflineGiftReport
from crm.fundraising.models.pages import FundraiserPage, PageFlag, Team

__all__ = ["Campaign", "FundraiserPage", "Occasion", "OfflineGiftReport", "PageFlag", "PageGift", "PagePlan", "Team"]
